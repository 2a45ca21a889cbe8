#!/usr/bin/env bash
# Publishes the conformance kit for provider teams that have no .NET SDK (provider guide §5, "Getting the kit"):
#   tools/kit/publish.sh [--out DIR] [TARGET...]
# TARGET is one of (default: all three; DIR defaults to artifacts/kit):
#   linux-x64   DIR/linux-x64/pg-conformance: one self-contained executable, the .NET runtime inside it; runs on
#               x64 Linux with glibc and nothing else installed (OpenSSL for --tls targets, as every TLS client)
#   win-x64     DIR/win-x64/pg-conformance.exe: the same for 64-bit Windows (its runtime pack comes from NuGet). The
#               tests publish linux-x64 alone and nothing here runs this one (no Windows); checked by hand under
#               Debian's Wine 8 (wine64), where it passes the demo land registry
#   tool        DIR/nupkg/ProviderGateway.Conformance.<version>.nupkg: the .NET tool package (command pg-conformance),
#               framework-dependent, for teams with the .NET 10 SDK: dotnet tool install --add-source DIR/nupkg ...
# Single file: compressed (about 40 MB instead of 75; it still starts in a fraction of a second) and not trimmed (protobuf
# and gRPC find message types by reflection). No ICU needed: the kit uses invariant globalization (its .csproj).
# Each target builds in its own tree, artifacts/kit/build/TARGET (one tree for all would restore back and forth between
# runtime identifiers and rebuild everything each time), away from the projects' own bin/ and obj/: running this never
# changes what `dotnet build` or the tests use. Build servers are off so that nothing stays running after it.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=artifacts/kit
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    linux-x64 | win-x64 | tool) targets+=("$1"); shift ;;
    *) echo "publish: unknown argument '$1' (usage: tools/kit/publish.sh [--out DIR] [linux-x64] [win-x64] [tool])" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(linux-x64 win-x64 tool)

project=src/ProviderGateway.Conformance/ProviderGateway.Conformance.csproj
for target in "${targets[@]}"; do
  # pdbs inside the binaries (stack traces with line numbers); the contracts' XML docs stay out of the kit.
  common=(-c Release --artifacts-path "artifacts/kit/build/$target" --disable-build-servers -nologo -v quiet
    -p:DebugType=embedded -p:GenerateDocumentationFile=false)
  case "$target" in
    tool)
      rm -rf "$out/nupkg"
      dotnet pack "$project" "${common[@]}" -o "$out/nupkg"
      echo "publish: $(ls "$out"/nupkg/*.nupkg) (install: dotnet tool install --tool-path DIR --add-source $out/nupkg ProviderGateway.Conformance)"
      ;;
    *)
      rm -rf "${out:?}/$target"
      dotnet publish "$project" "${common[@]}" -r "$target" --self-contained true \
        -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -o "$out/$target"
      suffix=""
      [ "$target" = win-x64 ] && suffix=.exe
      mv "$out/$target/ProviderGateway.Conformance$suffix" "$out/$target/pg-conformance$suffix"
      leftovers=$(find "$out/$target" -type f ! -name "pg-conformance$suffix")
      [ -z "$leftovers" ] || { echo "publish: $target is not a single file; also: $leftovers" >&2; exit 1; }
      echo "publish: $out/$target/pg-conformance$suffix ($(du -m "$out/$target/pg-conformance$suffix" | cut -f1) MB, self-contained)"
      ;;
  esac
done
