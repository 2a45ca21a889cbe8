#!/usr/bin/env bash
# Generates the Python code of the provider contracts (utilities, land registry, social services) with Debian 12's
# own tools, for utilities_provider.py or your own provider of any of the three:
#   protoc 3.21 (protobuf-compiler), the well-known types' .proto files (libprotobuf-dev), the gRPC Python plugin
#   (protobuf-compiler-grpc) and grpc.health.v1's health.proto (grpc-proto):
#     apt-get install python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc libprotobuf-dev grpc-proto
# (Not python3-grpc-tools: its bundled protoc 3.5 cannot compile google/rpc/error_details.proto.)
#
# Usage: generate.sh [--protos DIR] [--out DIR]
#   --protos DIR  the contracts' proto folder: protos/ of this repository (the default), or the protos/ folder
#                 of the ProviderGateway.Contracts NuGet package
#   --out DIR     where the modules go (default: generated/ beside this script); replaced as a whole
#
# It writes plain modules, no __init__.py (the 'google' folder joins the namespace package of python3-protobuf):
#   providergateway/utilities/v1/utilities_pb2.py, utilities_pb2_grpc.py   a contract: messages, servicer base and
#   providergateway/landregistry/v1/land_registry_pb2.py, ..._pb2_grpc.py  client stub (add_..._to_server)
#   providergateway/socialservices/v1/social_services_pb2.py, ...
#   providergateway/common/v1/common_pb2.py                                Money, Address, DateRange
#   google/api/*_pb2.py, google/type/date_pb2.py                           what the contracts import
#   google/rpc/status_pb2.py, error_details_pb2.py                         google.rpc.Status, BadRequest, ResourceInfo...
#   health_pb2.py, health_pb2_grpc.py                                      grpc.health.v1 (a top-level module:
#                                                                          'grpc.health' would clash with grpcio's 'grpc')
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
protos="$here/../../../protos"
out="$here/generated"
while [ $# -gt 0 ]; do
  case "$1" in
    --protos) protos="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "generate.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

health_dir=/usr/share/grpc-proto/grpc/health/v1
missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
[ -x /usr/bin/grpc_python_plugin ] || missing+=(protobuf-compiler-grpc)
[ -f /usr/include/google/protobuf/timestamp.proto ] || missing+=(libprotobuf-dev)
[ -f "$health_dir/health.proto" ] || missing+=(grpc-proto)
if [ ${#missing[@]} -gt 0 ]; then
  echo "generate.sh: missing Debian packages: apt-get install ${missing[*]}" >&2
  exit 1
fi
contracts=(providergateway/utilities/v1/utilities.proto providergateway/landregistry/v1/land_registry.proto
  providergateway/socialservices/v1/social_services.proto)
for contract in "${contracts[@]}"; do
  if [ ! -f "$protos/$contract" ]; then
    echo "generate.sh: $contract is not in '$protos'; pass the contracts' proto folder with --protos DIR" >&2
    exit 1
  fi
done

# Into a fresh folder beside the target, then swapped in: a provider starting meanwhile never sees half of it.
mkdir -p "$(dirname "$out")"
staging="$(mktemp -d "$out.new.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
cd "$protos"
# Messages of the contracts and of everything they import (the well-known types come with python3-protobuf)...
protoc -I . --python_out="$staging" \
  "${contracts[@]}" providergateway/common/v1/common.proto \
  google/api/field_behavior.proto google/type/date.proto \
  google/rpc/status.proto google/rpc/error_details.proto
# ...the services' servicer bases and client stubs...
protoc -I . --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin --grpc_python_out="$staging" "${contracts[@]}"
# ...and grpc.health.v1, messages and service, from Debian's copy of health.proto.
protoc -I "$health_dir" --python_out="$staging" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin --grpc_python_out="$staging" health.proto

rm -rf "$out.old"
if [ -e "$out" ]; then mv "$out" "$out.old"; fi
mv "$staging" "$out"
rm -rf "$out.old"
trap - EXIT
echo "generate.sh: Python modules of the provider contracts and grpc.health.v1 in $out"
