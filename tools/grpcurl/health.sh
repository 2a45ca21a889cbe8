#!/usr/bin/env bash
# The gateway's standard gRPC health check (grpc.health.v1). SERVICE "" (or
# providergateway.frontdesk.v1.FrontDeskService) is the gateway as a whole: SERVING while it is ready;
# providergateway.provider.<provider-id> is one provider as the gateway sees it.
# Usage: health.sh [SERVICE]
#   grpcurl -plaintext -d '{"service":""}' 127.0.0.1:5080 grpc.health.v1.Health/Check
source "$(dirname "$0")/_lib.sh"
pg_call grpc.health.v1.Health/Check "{\"service\":\"${1:-}\"}"
