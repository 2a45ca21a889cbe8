#!/usr/bin/env bash
# Publishes the gateway as it ships: Release, framework-dependent, compiled ReadyToRun for linux-x64 (a process that
# just started answers its first desks without waiting for the JIT: README "Deployment").
#   tools/publish.sh [DIR]     into DIR (default artifacts/gateway); run it with: dotnet DIR/ProviderGateway.dll
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/gateway}"
dotnet publish src/ProviderGateway/ProviderGateway.csproj -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$out" -v quiet -nologo
echo "published to $out (ReadyToRun, linux-x64); run: dotnet $out/ProviderGateway.dll"
