#!/usr/bin/env bash
# A citizen's social benefits across every social services provider (merged, paged).
# Usage: benefits.sh [IIN] [PAGE_SIZE] [PAGE_TOKEN]
#   grpcurl -plaintext -d '{"iin":"830417405126"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListBenefits
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed citizen-with benefit)}"
pg_call "$FRONT_DESK/ListBenefits" "{\"iin\":\"$IIN\",\"page_size\":${2:-0},\"page_token\":\"${3:-}\"}"
