#!/usr/bin/env bash
# Runs the whole ProviderGateway test suite: sets up its tools first (tools/setup.sh), checks the
# contracts (buf lint and format; no breaking change against the released contracts), runs every test
# project, and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh || exit 1

results=TestResults
rm -rf "$results"
mkdir -p "$results"
status=0

echo "== buf lint / buf format (protos/)"
if node_modules/.bin/buf lint protos && node_modules/.bin/buf format --diff --exit-code protos; then
  echo "contracts: lint and format clean"
else
  echo "contracts: buf lint or buf format failed" >&2
  status=1
fi

echo "== buf breaking against the released contracts (tools/contracts/check-breaking.sh)"
tools/contracts/check-breaking.sh || status=1

echo "== dotnet test"
# Every gateway the tests start logs to this file too; it is scanned for IINs in clear below.
export PG_CAPTURED_LOGS="$PWD/$results/gateway-logs.txt"
# A test that hangs is stopped after 10 minutes and named (blame), instead of holding CI to its limit.
dotnet test ProviderGateway.sln --configuration Release \
  --blame-hang-timeout 10m --blame-hang-dump-type none \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=1

echo "== no IIN in clear in the gateways' logs"
if ! python3 tools/security/scan-logs.py "$PG_CAPTURED_LOGS"; then
  echo "log scan failed: see above" >&2
  status=1
fi

echo "== benchmark, quick mode (a smoke test: it must run and every call must succeed; no thresholds)"
if tools/bench/run.sh > "$results/bench-quick.log" 2>&1; then
  sed -n '/^| scenario/,/^$/p' "$results/bench-quick.log"
else
  echo "benchmark smoke test failed:" >&2
  tail -n 30 "$results/bench-quick.log" >&2
  status=1
fi

# Sum the counters of every test project's TRX file.
passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<< "$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<< "$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a failure outside the test counters (build, lint): never report green
fi
# Name every failed test and the start of its message last, where a CI log's tail shows it.
if [ "$failed" -gt 0 ]; then
  python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    for r in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") != "Failed":
            continue
        message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        text = (message.text or "") if message is not None else ""
        print("FAILED " + r.get("testName") + " [" + r.get("duration", "") + "]")
        print("  " + text.strip().replace("\n", "\n  ")[:1500])
PY
fi
echo "$passed passed, $failed failed"
exit "$status"
