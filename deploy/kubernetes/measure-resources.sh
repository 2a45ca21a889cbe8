#!/usr/bin/env bash
# Measures the gateway's memory (RSS) and CPU at idle, at a steady rate and at saturation, for the resource requests and
# limits of statefulset.yaml (README here, "Resources"). Loopback only, bounded: under three minutes in all.
#   deploy/kubernetes/measure-resources.sh [PUBLISHED_DIR] [STEADY_RATE]
# PUBLISHED_DIR: the gateway as tools/publish.sh makes it (published there first when missing; default
# artifacts/k8s-measure). STEADY_RATE: overview calls a second of the steady phase (default 100). The gateway runs in its
# embedded default (nine demo providers in the same process: their work is counted too), its journal and SQLite files
# in a temporary folder, the development client's rate limit lifted; the memory cache is filled first (6,000 citizens'
# overviews); the load's overviews are sent with cache-control: no-cache, so each one fans out to the providers (the
# heavier path).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-artifacts/k8s-measure}"
steady_rate="${2:-100}"
seconds=30
[ -f "$dir/ProviderGateway.dll" ] || tools/publish.sh "$dir" >/dev/null
command -v h2load >/dev/null || { echo "h2load is needed (tools/setup.sh installs it)" >&2; exit 1; }

work="$(mktemp -d)"
gateway=""
cleanup() { [ -n "$gateway" ] && kill "$gateway" 2>/dev/null && wait "$gateway" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet "$dir/ProviderGateway.dll" \
  --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:15080 \
  --Kestrel:Endpoints:Http:Url=http://127.0.0.1:15081 \
  --Kestrel:Endpoints:Management:Url=http://127.0.0.1:15082 \
  --Gateway:Security:Journal:Path="$work/journal.jsonl" \
  --Gateway:Security:DefaultRateLimit:CallsPerSecond=1000000 \
  --Gateway:Security:DefaultRateLimit:Burst=1000000 >"$work/gateway.log" 2>&1 &
gateway=$!
for _ in $(seq 1 60); do
  curl -sf http://127.0.0.1:15082/readyz >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf http://127.0.0.1:15082/readyz >/dev/null || { echo "the gateway did not become ready" >&2; cat "$work/gateway.log" >&2; exit 1; }

# The overviews of COUNT distinct citizens (generated IINs with valid check digits; the demo providers answer them with
# empty lists), CONCURRENCY at a time: nine answers each kept in the memory cache, until it holds its
# Gateway:Caching:MemoryMaxEntries (50,000) and evicts, as an instance that has served a day of desks does.
cat >"$work/fill.mjs" <<'NODE'
// Asks the gateway for the overviews of COUNT distinct (generated, valid) citizens, CONCURRENCY at a time.
import http2 from "node:http2";
const [address, count, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 16)];
function checkDigit(d, w) { return d.reduce((s, x, i) => s + x * w[i], 0) % 11; }
function* iins() {
  for (let day = 1; ; day++) {
    for (let serial = 0; serial < 10000; serial++) {
      const body = `7001${String(day % 28 + 1).padStart(2, "0")}3${String(serial).padStart(4, "0")}`.split("").map(Number);
      let k = checkDigit(body, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      if (k === 10) k = checkDigit(body, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
      if (k !== 10) yield body.join("") + k;
    }
  }
}
const session = http2.connect(`http://${address}`);
const next = iins();
const statuses = new Map();
let sent = 0;
function call(iin) {
  return new Promise((resolve) => {
    const message = Buffer.concat([Buffer.from([0x0a, 12]), Buffer.from(iin)]);
    const frame = Buffer.alloc(5 + message.length); frame.writeUInt32BE(message.length, 1); message.copy(frame, 5);
    const stream = session.request({ ":method": "POST", ":path": "/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview",
      "content-type": "application/grpc", te: "trailers", "x-api-key": "pg-development-key-NOT-FOR-PRODUCTION",
      "x-operator-id": "measure", "x-access-purpose": "capacity-planning" });
    let status = "none";
    stream.on("response", (h) => { if (h["grpc-status"]) status = h["grpc-status"]; });
    stream.on("trailers", (t) => { status = t["grpc-status"]; });
    stream.on("data", () => {});
    stream.on("close", () => { statuses.set(status, (statuses.get(status) ?? 0) + 1); resolve(); });
    stream.end(frame);
  });
}
async function worker() { while (sent < count) { sent++; await call(next.next().value); } }
await Promise.all(Array.from({ length: concurrency }, worker));
session.close();
console.log(`${count} overviews of distinct citizens; grpc-status counts: ${JSON.stringify(Object.fromEntries(statuses))}`);
NODE
fill() { node "$work/fill.mjs" 127.0.0.1:15080 "$1" 16 | sed 's/^/    /'; }

# A demo citizen's overview as one gRPC frame: GetCitizenOverviewRequest { iin = "791028302728" } (field 1, 12 bytes).
printf '\x00\x00\x00\x00\x0e\x0a\x0c791028302728' >"$work/overview.bin"
load() { # connections, streams, extra h2load arguments...
  local c="$1" m="$2"; shift 2
  h2load -c "$c" -m "$m" -D "$seconds" -d "$work/overview.bin" "$@" \
    -H 'content-type: application/grpc' -H 'te: trailers' -H 'cache-control: no-cache' \
    -H 'x-api-key: pg-development-key-NOT-FOR-PRODUCTION' -H 'x-operator-id: measure' -H 'x-access-purpose: capacity-planning' \
    http://127.0.0.1:15080/providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview >"$work/h2load.txt"
  grep -E '^(finished in|requests:|status codes:)' "$work/h2load.txt" | sed 's/^/    /'
}
ticks() { awk '{print $14 + $15}' "/proc/$gateway/stat"; }
rss() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$gateway/status"; }
hwm() { awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$gateway/status"; }
hz="$(getconf CLK_TCK)"
phase() { # name, then the command that loads the gateway (or sleep)
  local name="$1"; shift
  local before start now
  before="$(ticks)"; start="$(date +%s.%N)"
  "$@"
  now="$(date +%s.%N)"
  awk -v n="$name" -v t0="$before" -v t1="$(ticks)" -v s0="$start" -v s1="$now" -v hz="$hz" -v rss="$(rss)" -v hwm="$(hwm)" \
    'BEGIN { printf "%-10s CPU %5.0f millicores over %4.1f s; RSS now %4d MiB, peak so far (VmHWM) %4d MiB\n", n, 1000 * (t1 - t0) / hz / (s1 - s0), s1 - s0, rss, hwm }'
}

echo "gateway pid $gateway, $(nproc) cores; $seconds s a phase"
sleep 5
phase idle sleep "$seconds"
phase fill fill 6000
phase steady load 4 1 --rps="$((steady_rate / 4))"
phase peak load 8 16
sleep 10
phase after sleep "$seconds"
echo "desk calls by the status the desk received (the gateway's own count):"
curl -sf http://127.0.0.1:15082/metrics | grep '^providergateway_desk_calls_total' | sed 's/^/    /'
