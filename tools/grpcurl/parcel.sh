#!/usr/bin/env bash
# One land parcel by cadastral number: area, purpose, address, rights holders, encumbrances.
# Usage: parcel.sh [CADASTRAL_NUMBER] [PROVIDER_ID]
#   grpcurl -plaintext -d '{"cadastral_number":"03-047-155-123"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/GetParcel
source "$(dirname "$0")/_lib.sh"
CADASTRAL="${1:-$(pg_seed parcel "$(pg_seed citizen-with parcel)")}"
pg_call "$FRONT_DESK/GetParcel" "{\"cadastral_number\":\"$CADASTRAL\",\"provider_id\":\"${2:-}\"}"
