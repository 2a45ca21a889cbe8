#!/usr/bin/env bash
# The code the DEMO consent authority "sent" to the citizen's phone for a consent request, read from its
# test outbox (a real authority sends an SMS; there is no such endpoint). The embedded default logs the
# authority's address at start-up ("Demo consent authority at …").
# Usage: PG_CONSENT_AUTHORITY=http://127.0.0.1:PORT/ consent-code.sh REQUEST_ID
#   curl --http2-prior-knowledge 'http://127.0.0.1:PORT/demo/consent/outbox?request_id=…'
set -euo pipefail
if [ $# -ne 1 ] || [ -z "${PG_CONSENT_AUTHORITY:-}" ]; then
  echo "Usage: PG_CONSENT_AUTHORITY=http://127.0.0.1:PORT/ consent-code.sh REQUEST_ID (the address is in the gateway's start-up log)" >&2
  exit 2
fi
curl --silent --show-error --fail --http2-prior-knowledge --get --data-urlencode "request_id=$1" "${PG_CONSENT_AUTHORITY%/}/demo/consent/outbox"
echo
