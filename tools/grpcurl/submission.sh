#!/usr/bin/env bash
# A submission of this client (a write accepted with PG_DELIVERY_MODE=ACCEPT_WHEN_UNAVAILABLE while its provider was
# down): its state (ACCEPTED, ON_DELIVERY, DELIVERED, NOT_DELIVERED, DELIVERY_STOPPED), attempts, last provider status,
# and once DELIVERED the provider's answer.
# Usage: submission.sh SUBMISSION_ID
#   grpcurl -plaintext -d '{"submission_id":"<uuid>"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/GetSubmission
source "$(dirname "$0")/_lib.sh"
ID="${1:?usage: submission.sh SUBMISSION_ID (the submission_id in a write receipt)}"
pg_call "$FRONT_DESK/GetSubmission" "{\"submission_id\":\"$ID\"}"
