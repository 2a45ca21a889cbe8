#!/usr/bin/env bash
# The current state of a certificate order (RECEIVED, IN_PROGRESS, READY with a document number, REJECTED).
# Usage: certificate-status.sh ORDER_ID [IIN] [PROVIDER_ID]
#   grpcurl -plaintext -d '{"iin":"791028302728","order_id":"<order id>"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/GetCertificateOrder
source "$(dirname "$0")/_lib.sh"
ORDER_ID="${1:?usage: certificate-status.sh ORDER_ID [IIN] [PROVIDER_ID] (the order_id from certificate-order.sh)}"
IIN="${2:-$(pg_seed citizen-with parcel)}"
pg_call "$FRONT_DESK/GetCertificateOrder" "{\"iin\":\"$IIN\",\"order_id\":\"$ORDER_ID\",\"provider_id\":\"${3:-}\"}"
