#!/usr/bin/env bash
# Streamed citizen overview: first the providers that will be asked, then each provider's result as it
# arrives (fastest first), then whether the overview is complete. One JSON object per message.
# Usage: stream-overview.sh [IIN] [KATO_CODE]     (defaults: the first demo citizen; every district)
#   grpcurl -plaintext -d '{"iin":"791028302728"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/StreamCitizenOverview
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed demo-iin)}"
KATO="${2:-}"
pg_call "$FRONT_DESK/StreamCitizenOverview" "{\"iin\":\"$IIN\",\"kato_code\":\"$KATO\"}"
