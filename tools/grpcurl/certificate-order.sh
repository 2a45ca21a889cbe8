#!/usr/bin/env bash
# Orders a land registry certificate (a write with a new request_id). The answer's order.order_id
# is what certificate-status.sh follows.
# Usage: certificate-order.sh [CERTIFICATE_TYPE [IIN [CADASTRAL_NUMBER [REQUEST_ID]]]]
#   CERTIFICATE_TYPE: CERTIFICATE_TYPE_RIGHTS_AND_ENCUMBRANCES (default; needs a parcel of the citizen),
#   CERTIFICATE_TYPE_REAL_ESTATE_OWNERSHIP (no cadastral number) or CERTIFICATE_TYPE_RIGHTS_HISTORY.
#   grpcurl -plaintext -d '{"request_id":"<uuid>","iin":"791028302728","certificate_type":"CERTIFICATE_TYPE_RIGHTS_AND_ENCUMBRANCES","cadastral_number":"03-047-155-123"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/CreateCertificateOrder
# With PG_DELIVERY_MODE=ACCEPT_WHEN_UNAVAILABLE a provider that cannot take it gives a submission receipt
# (follow it with submission.sh).
source "$(dirname "$0")/_lib.sh"
TYPE="${1:-CERTIFICATE_TYPE_RIGHTS_AND_ENCUMBRANCES}"
IIN="${2:-$(pg_seed citizen-with parcel)}"
CADASTRAL=""
if [ "$TYPE" != CERTIFICATE_TYPE_REAL_ESTATE_OWNERSHIP ]; then CADASTRAL="${3:-$(pg_seed parcel "$IIN")}"; fi
pg_call "$FRONT_DESK/CreateCertificateOrder" "{\"request_id\":\"${4:-$(pg_uuid)}\",\"iin\":\"$IIN\",\"certificate_type\":\"$TYPE\",\"cadastral_number\":\"$CADASTRAL\",$(pg_delivery_mode)}"
