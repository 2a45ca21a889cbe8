#!/usr/bin/env bash
# Runs a command as on a machine without .NET: in a mount namespace of its own (unshare --mount; needs root) where the
# .NET install folder (the one `dotnet` on PATH resolves to, and the usual ones), ~/.dotnet, ~/.nuget and /etc/dotnet
# are empty read-only tmpfs mounts, ICU's libraries are empty files, and no variable of .NET's is set. Nothing outside
# the command sees these mounts. Used by the tests to run the published kit (tools/kit/publish.sh); try it yourself:
#   tools/kit/without-dotnet.sh dotnet --info                      # fails: there is no dotnet
#   tools/kit/without-dotnet.sh artifacts/kit/linux-x64/pg-conformance --target 127.0.0.1:6001 --domain utilities
set -euo pipefail

if [ "${PG_WITHOUT_DOTNET:-}" != inside ]; then
  [ "$(id -u)" -eq 0 ] || { echo "without-dotnet: needs root (unshare --mount)" >&2; exit 2; }
  PG_WITHOUT_DOTNET=inside exec unshare --mount --propagation private -- "$0" "$@"
fi
unset PG_WITHOUT_DOTNET

hide=(/usr/share/dotnet /usr/lib/dotnet /usr/local/share/dotnet /opt/dotnet /etc/dotnet "$HOME/.dotnet" "$HOME/.nuget")
if dotnet=$(command -v dotnet); then
  hide+=("$(dirname "$(readlink -f "$dotnet")")")
fi
for dir in $(printf '%s\n' "${hide[@]}" | sort -u); do
  if [ -d "$dir" ]; then mount -t tmpfs -o ro,size=1m tmpfs "$dir"; fi
done
# No libicu either: a machine without .NET need not have it (the kit runs with invariant globalization).
for lib in $(ldconfig -p | awk '/libicu/ { print $NF }' | xargs -r readlink -f | sort -u); do
  mount --bind /dev/null "$lib"
done
# Nor any variable of .NET's (DOTNET_ROOT, DOTNET_HOST_PATH, ...) or of its build and test tools (MSBuild, VSTest).
for name in $(compgen -e | grep -iE 'DOTNET|^COREHOST_|MSBUILD|^VSTEST_' || true); do unset "$name"; done

exec "$@"
