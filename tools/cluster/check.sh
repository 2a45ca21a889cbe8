#!/usr/bin/env bash
# The cluster's checks in their long, strict form (the suite runs them short): three instances behind nginx
# (tools/cluster/cluster.py), a client of 50 calls a second sending 300 for 20 s after its burst, each second within
# 10 % of 50; 60 s of 200 calls a second with rolling restarts throughout, no call failed. Prints the figures.
#   tools/cluster/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup.sh >/dev/null
dotnet build tests/ProviderGateway.FunctionalTests -c Release -v q -nologo
PG_CLUSTER_STRICT=1 dotnet test tests/ProviderGateway.FunctionalTests -c Release --no-build \
  --filter "FullyQualifiedName~ProviderGateway.FunctionalTests.Cluster.ClusterTests" \
  --logger "console;verbosity=detailed" 2>&1 | grep -vE '^\s*$|xUnit.net [0-9:.]+\]   (Discover|Start|Finish)'
