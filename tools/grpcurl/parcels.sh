#!/usr/bin/env bash
# The land parcels on which a citizen holds a registered right (merged across land registry providers, paged).
# Usage: parcels.sh [IIN] [PAGE_SIZE] [PAGE_TOKEN]
#   grpcurl -plaintext -d '{"iin":"791028302728"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListParcels
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed citizen-with parcel)}"
pg_call "$FRONT_DESK/ListParcels" "{\"iin\":\"$IIN\",\"page_size\":${2:-0},\"page_token\":\"${3:-}\"}"
