#!/usr/bin/env bash
# Where the gateway's CPU goes on one hop scenario: its servers as the benchmark starts them, a warm-up, then perf on the
# gateway under h2load, read into a per-stage table (tools/bench/profile/stages.py) in tools/bench/results/<mode>/profile-<scenario>.md.
#   tools/bench/profile.sh l1-hit            quick (1 s warm-up, 2 s measured)
#   tools/bench/profile.sh l1-hit --full     30 s warm-up, 10 s measured (the README's table)
# Scenarios: gateway-forward, l1-hit, redis-hit. Needs perf (tools/setup.sh installs Debian's linux-perf).
# The runtime writes its perf map (symbols of JIT-compiled code), and W^X is off: with it, perf sees that code only as an
# anonymous double-mapped file and names none of it. Shares are read from this run; the hop's figures from run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:?usage: tools/bench/profile.sh gateway-forward|l1-hit|redis-hit [--full]}
shift
tools/setup.sh >/dev/null
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
dotnet build ProviderGateway.sln -c Release -v quiet -nologo >/dev/null || dotnet build ProviderGateway.sln -c Release -nologo
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
exec dotnet tools/bench/ProviderGateway.Bench/bin/Release/net10.0/ProviderGateway.Bench.dll --profile "$scenario" "$@"
