#!/usr/bin/env bash
# Submits a meter reading (a write: it carries a new request_id idempotency key; send the same
# REQUEST_ID again to see that a retry has no second effect).
# Usage: meter-reading.sh VALUE_MILLI_UNITS [PROVIDER_ID ACCOUNT_NUMBER METER_ID [IIN [REQUEST_ID]]]
#   VALUE_MILLI_UNITS is the reading in thousandths of the meter's unit (12345678 = 12,345.678 kWh);
#   it must not be below the meter's last reading (see accounts.sh).
#   grpcurl -plaintext -d '{"provider_id":"alatau-power","request_id":"<uuid>","iin":"791028302728","account_number":"AP-1952-000105","meter_id":"EM-1","value_milli_units":28600000,"reading_date":{"year":2026,"month":11,"day":27}}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/CreateMeterReading
# With PG_DELIVERY_MODE=ACCEPT_WHEN_UNAVAILABLE a provider that cannot take it gives a submission receipt
# (follow it with submission.sh).
source "$(dirname "$0")/_lib.sh"
VALUE="${1:?usage: meter-reading.sh VALUE_MILLI_UNITS [PROVIDER_ID ACCOUNT_NUMBER METER_ID [IIN [REQUEST_ID]]]}"
IIN="${5:-$(pg_seed demo-iin)}"
read -r PROVIDER ACCOUNT METER <<< "$(pg_seed account "$IIN")"
PROVIDER="${2:-$PROVIDER}"
ACCOUNT="${3:-$ACCOUNT}"
METER="${4:-$METER}"
REQUEST_ID="${6:-$(pg_uuid)}"
pg_call "$FRONT_DESK/CreateMeterReading" "{\"provider_id\":\"$PROVIDER\",\"request_id\":\"$REQUEST_ID\",\"iin\":\"$IIN\",\"account_number\":\"$ACCOUNT\",\"meter_id\":\"$METER\",\"value_milli_units\":$VALUE,\"reading_date\":$(pg_today),$(pg_delivery_mode)}"
