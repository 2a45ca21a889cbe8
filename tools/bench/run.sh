#!/usr/bin/env bash
# The benchmark: builds in Release, starts demo providers, Redis, the gateway (production configuration)
# and its peers (YARP, nginx grpc_pass) on loopback, drives them (h2load; a Grpc.Net.Client load generator
# for the stampede and the desk mix) and writes tools/bench/results/<mode>/report.md plus a JSON per scenario.
# Scenarios: the hop (direct, gateway uncached, YARP, nginx, L1 hit, Redis hit, and the floor: a bare server with no
# safeguard forwarding and reading Redis, tools/bench/ProviderGateway.Bench.Bare), the overview fan-out,
# the stampede, the desk mix, provider isolation, durable submissions. See README "Performance".
#   tools/bench/run.sh                    quick mode (about a minute; CI's smoke test, no thresholds)
#   tools/bench/run.sh --full             full mode (warm-up, interleaved rounds, ratios within each round: README
#                                         "Performance", method; about 20 minutes)
#   tools/bench/run.sh --only overview    one scenario: hop, overview, stampede, mix, isolation or submissions
set -euo pipefail
cd "$(dirname "$0")/../.."

tools/setup.sh >/dev/null   # h2load, redis-server, buf

dotnet build ProviderGateway.sln -c Release -v quiet -nologo >/dev/null || dotnet build ProviderGateway.sln -c Release -nologo
exec dotnet tools/bench/ProviderGateway.Bench/bin/Release/net10.0/ProviderGateway.Bench.dll "$@"
