#!/usr/bin/env bash
# This client's submissions, newest first: all, one state's, one citizen's.
# Usage: submissions.sh [STATE [IIN [PAGE_SIZE [PAGE_TOKEN]]]]
#   STATE: ACCEPTED, ON_DELIVERY, DELIVERED, NOT_DELIVERED, DELIVERY_STOPPED or ALL (the default)
#   grpcurl -plaintext -d '{"state":"SUBMISSION_STATE_ON_DELIVERY","page_size":20}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListSubmissions
source "$(dirname "$0")/_lib.sh"
STATE="${1:-ALL}"
case "$STATE" in
  ALL) STATE_FIELD="" ;;
  ACCEPTED|ON_DELIVERY|DELIVERED|NOT_DELIVERED|DELIVERY_STOPPED) STATE_FIELD="\"state\":\"SUBMISSION_STATE_$STATE\"," ;;
  *) echo "STATE must be ACCEPTED, ON_DELIVERY, DELIVERED, NOT_DELIVERED, DELIVERY_STOPPED or ALL" >&2; exit 2 ;;
esac
pg_call "$FRONT_DESK/ListSubmissions" "{$STATE_FIELD\"iin\":\"${2:-}\",\"page_size\":${3:-20},\"page_token\":\"${4:-}\"}"
