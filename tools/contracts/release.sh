#!/usr/bin/env bash
# Records the contracts as released: copies protos/ to tools/contracts/released/<ContractsVersion>/, the
# baseline that tools/contracts/check-breaking.sh (run by CI) compares every later change against.
# Run it when the contracts package of that version is published; commit the new folder with it.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(sed -n 's:.*<ContractsVersion>\(.*\)</ContractsVersion>.*:\1:p' Directory.Build.props)
[ -n "$version" ] || { echo "release: no <ContractsVersion> in Directory.Build.props" >&2; exit 1; }
target="tools/contracts/released/$version"
if [ -e "$target" ]; then
  echo "release: $target exists: contracts $version are already released (raise ContractsVersion first)" >&2
  exit 1
fi

node_modules/.bin/buf lint protos
mkdir -p "$target"
cp -R protos/. "$target/"
echo "release: contracts $version recorded in $target; commit it with the published package"
