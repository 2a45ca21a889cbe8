#!/usr/bin/env bash
# The breaking-change guard of the contracts, run by CI (tools/test.sh).
#
# Compares protos/ with the last released contracts (the highest version under
# tools/contracts/released/) using `buf breaking` with the FILE rules of protos/buf.yaml: a removed or
# renumbered field, a changed type, a renamed package or method... fails, unless ContractsVersion in
# Directory.Build.props has a higher major version than the release (a new major version package,
# which provider teams must adopt knowingly).
#
# Usage: tools/contracts/check-breaking.sh [--protos DIR] [--version X.Y.Z]
#   --protos   the contracts to check (default: protos/)
#   --version  the version they will be published as (default: ContractsVersion)
# Exit codes: 0 compatible (or a new major version), 1 breaking, 2 bad usage or set-up.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

protos="$root/protos"
version=$(sed -n 's:.*<ContractsVersion>\(.*\)</ContractsVersion>.*:\1:p' "$root/Directory.Build.props")
while [ $# -gt 0 ]; do
  case "$1" in
    --protos) protos="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    *) echo "check-breaking: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done

buf="$root/node_modules/.bin/buf"
[ -x "$buf" ] || { echo "check-breaking: buf is not installed: run tools/setup.sh" >&2; exit 2; }
[[ "$version" =~ ^([0-9]+)\.[0-9]+\.[0-9]+ ]] || { echo "check-breaking: version '$version' is not X.Y.Z" >&2; exit 2; }
major=${BASH_REMATCH[1]}

baseline=$(find "$root/tools/contracts/released" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)
[ -n "$baseline" ] || { echo "check-breaking: no released contracts under tools/contracts/released/" >&2; exit 2; }
released_major=${baseline%%.*}

if [ "$major" -lt "$released_major" ]; then
  echo "check-breaking: version $version is older than the released contracts $baseline" >&2
  exit 2
fi

if output=$("$buf" breaking "$protos" --against "$root/tools/contracts/released/$baseline" 2>&1); then
  echo "contracts: no breaking change against the released contracts $baseline (buf breaking, FILE rules)"
  exit 0
fi

if [ "$major" -gt "$released_major" ]; then
  echo "$output"
  echo "contracts: breaking changes against $baseline are accepted: version $version is a new major version."
  echo "contracts: publish it as a new package version and record it with tools/contracts/release.sh."
  exit 0
fi

echo "$output" >&2
cat >&2 <<MSG
contracts: BREAKING CHANGE against the released contracts $baseline (listed above).
Provider teams and desks built against $baseline would break. Either
  - make the change compatible: add fields, methods or enum values instead of changing or removing
    them, and mark what is obsolete with [deprecated = true]; or
  - publish a new major version: set ContractsVersion in Directory.Build.props to $((released_major + 1)).0.0.
MSG
exit 1
