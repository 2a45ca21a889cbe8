#!/usr/bin/env bash
# The benchmark: builds in Release, starts a demo provider, Redis and the gateway (production
# configuration) on loopback, drives them with h2load and writes tools/bench/results/<mode>/report.{md,json}.
#   tools/bench/run.sh           quick mode (under a minute; CI's smoke test, no thresholds)
#   tools/bench/run.sh --full    full mode (the method of ../shared/PERF.md; several minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."

tools/setup.sh >/dev/null   # h2load, redis-server, buf

dotnet build ProviderGateway.sln -c Release -v quiet -nologo >/dev/null || dotnet build ProviderGateway.sln -c Release -nologo
exec dotnet tools/bench/ProviderGateway.Bench/bin/Release/net10.0/ProviderGateway.Bench.dll "$@"
