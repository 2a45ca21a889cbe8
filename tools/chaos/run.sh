#!/usr/bin/env bash
# The chaos test: builds in Release, publishes the gateway as it ships (ReadyToRun, tools/publish.sh), starts nine
# demo providers, redis-server and two gateways as processes on loopback, drives desk workers through an operator's
# bad day (Redis killed and restarted, a provider killed, one hanging, a gateway killed with SIGKILL and restarted on
# its journal) and checks the rules over every call, the journals and the metrics. Prints a markdown report; exits 1
# when a rule was violated, 2 when the run failed.
#   tools/chaos/run.sh                    short form (about 40 s of load, 8 workers, 250 ms of slack)
#   tools/chaos/run.sh --long             long form (about 3 minutes, 32 workers, 100 ms of slack)
#   tools/chaos/run.sh --report FILE      also write the report to FILE
#   tools/chaos/run.sh --workers N --slack-ms N   another load or slack on the same timeline (experiments)
#   tools/chaos/run.sh --root DIR         against the gateway and demo providers built (Release) in another checkout
#   tools/chaos/run.sh --gateway-dir DIR  against the gateway in DIR (default: published to artifacts/gateway here)
set -euo pipefail
cd "$(dirname "$0")/../.."

dotnet build tools/chaos/ProviderGateway.Chaos/ProviderGateway.Chaos.csproj -c Release -v quiet -nologo >/dev/null \
  || dotnet build tools/chaos/ProviderGateway.Chaos/ProviderGateway.Chaos.csproj -c Release -nologo
if [[ " $* " == *" --gateway-dir "* || " $* " == *" --root "* ]]; then
  exec dotnet tools/chaos/ProviderGateway.Chaos/bin/Release/net10.0/ProviderGateway.Chaos.dll "$@"
fi
tools/publish.sh artifacts/gateway >/dev/null
exec dotnet tools/chaos/ProviderGateway.Chaos/bin/Release/net10.0/ProviderGateway.Chaos.dll --gateway-dir artifacts/gateway "$@"
