#!/usr/bin/env bash
# The front-desk console's first load, strict form: publishes the gateway as it ships (tools/publish.sh: Release,
# ReadyToRun; the console trimmed, with Brotli and gzip copies), starts it in its embedded default on free loopback
# ports, and loads /desk/ five times in Debian's chromium from an empty cache (DeskConsoleLoadTests), asserting the
# median under 3 s. Prints each load, the median and the bytes transferred. Needs tools/setup.sh's chromium.
#   tools/desk/first-load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'kill "${gateway_pid:-0}" 2>/dev/null || true; rm -rf "$out"' EXIT
tools/publish.sh "$out/gateway" >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
grpc=$(port); http=$(port); management=$(port)
dotnet "$out/gateway/ProviderGateway.dll" \
  --Kestrel:Endpoints:Grpc:Url="http://127.0.0.1:$grpc" --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$http" \
  --Kestrel:Endpoints:Management:Url="http://127.0.0.1:$management" \
  --Gateway:Security:Journal:Path="$out/journal/access-journal.jsonl" >"$out/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$management/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "published console: $(du -sh "$out/gateway/wwwroot/desk" | cut -f1) on disk (with compressed copies)"
PG_DESK_URL="http://127.0.0.1:$http/" PG_DESK_STRICT=1 dotnet test tests/ProviderGateway.FunctionalTests -c Release \
  --filter "FullyQualifiedName~DeskConsoleLoadTests" --logger "console;verbosity=detailed" 2>&1 | grep -E "first load|Passed|Failed|bound"
