#!/usr/bin/env bash
# Cancels a submission still ACCEPTED (no attempt reached its provider): it ends DELIVERY_STOPPED and the provider never
# sees it. Once a delivery started or ended: FAILED_PRECONDITION (SUBMISSION_NOT_CANCELLABLE).
# Usage: cancel-submission.sh SUBMISSION_ID
#   grpcurl -plaintext -d '{"submission_id":"<uuid>"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/CancelSubmission
source "$(dirname "$0")/_lib.sh"
ID="${1:?usage: cancel-submission.sh SUBMISSION_ID (the submission_id in a write receipt)}"
pg_call "$FRONT_DESK/CancelSubmission" "{\"submission_id\":\"$ID\"}"
