#!/usr/bin/python3
"""A utilities provider for ProviderGateway in Python, on Debian 12's own packages.

It implements providergateway.utilities.v1.UtilitiesService and grpc.health.v1.Health over plain HTTP/2 (h2c),
with in-memory demo data of a fictional water company, following the rules of the contract's comments (the
provider guide's sections 2 and 9):

  - every field is validated as the contract's comments say (IIN: ASCII digits, length, century digit, real birth
    date, never-issued numbers, check digit; account numbers and meter ids: their form, before any lookup; dates:
    real days, "not in the future" meaning not after today in UTC+5); bad input is INVALID_ARGUMENT with a
    google.rpc.BadRequest naming every bad field;
  - an account that does not exist or is another citizen's is NOT_FOUND with a google.rpc.ResourceInfo naming it
    as the caller sent it, the same answer for both, in every method (CreateMeterReading included); a meter not on
    the account likewise (utilities.v1.Meter);
  - List pages are bounded, with opaque page tokens bound by an HMAC to the list they page (method, citizen,
    account): a token of another list is INVALID_ARGUMENT;
  - CreateMeterReading is idempotent by request_id, scoped to the method and the gateway client (x-client-id); the
    same request_id with a different request is ALREADY_EXISTS (REQUEST_ID_REUSED); a refused write records nothing;
  - a reading on a CLOSED account, or below (or dated before) the meter's last one, is FAILED_PRECONDITION with a
    google.rpc.PreconditionFailure; a request breaking several rules gets the first answer in the contract's order:
    INVALID_ARGUMENT, ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION;
  - a call whose deadline (grpc-timeout) has passed ends with DEADLINE_EXCEEDED and has no effect;
  - the metadata the gateway sends (x-client-id, x-operator-id, x-access-purpose, traceparent) goes to an audit
    line per call; IINs, names and addresses are never logged.

Error details travel as the standard grpc-status-details-bin trailer, a serialized google.rpc.Status, built here
by hand (Debian packages no grpcio-status); the health service is written here too (no grpcio-health-checking),
on the messages generated from Debian's health.proto.

Run generate.sh first (it writes generated/ beside this file), then, with Debian's Python:
    /usr/bin/python3 utilities_provider.py --port 6001
It prints one line when it is ready: "utilities-provider listening on HOST:PORT". --help lists the options.
"""

import argparse
import base64
import collections
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import signal
import struct
import sys
import threading
from concurrent import futures
from pathlib import Path

NAME = "utilities-provider"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))  # what generate.sh wrote

try:
    import grpc
    from google.protobuf import any_pb2, timestamp_pb2
except ImportError as missing:
    sys.exit(f"{NAME}: {missing}. Run it with Debian's /usr/bin/python3, after "
             "'apt-get install python3-grpcio python3-protobuf'.")
try:
    import health_pb2
    import health_pb2_grpc
    from google.rpc import error_details_pb2, status_pb2
    from google.type import date_pb2
    from providergateway.common.v1 import common_pb2
    from providergateway.utilities.v1 import utilities_pb2 as pb
    from providergateway.utilities.v1 import utilities_pb2_grpc
except ImportError as missing:
    sys.exit(f"{NAME}: {missing}. Generate the contract's code first: {HERE / 'generate.sh'}")

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["UtilitiesService"].full_name
ERROR_DOMAIN = "providergateway.kz"  # google.rpc.ErrorInfo.domain of the contracts' errors
ACCOUNT_RESOURCE = "utilities.v1.Account"
METER_RESOURCE = "utilities.v1.Meter"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_IDEMPOTENCY_RECORDS = 100_000  # the oldest are forgotten first
KAZAKHSTAN = dt.timezone(dt.timedelta(hours=5))  # the whole country keeps UTC+5; dates are days there

log = logging.getLogger(NAME)


def kazakhstan_today():
    return dt.datetime.now(KAZAKHSTAN).date()


# ---------------------------------------------------------------------------------------------------------------
# Errors with google.rpc details, in the grpc-status-details-bin trailer
# ---------------------------------------------------------------------------------------------------------------

class RpcError(Exception):
    """What a handler raises: a status code, a message for people (never personal data) and google.rpc details."""

    def __init__(self, code, message, *details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def abort(self, context):
        """Ends the call with this status; its details go in grpc-status-details-bin (what grpcio-status does)."""
        status = status_pb2.Status(code=self.code.value[0], message=self.message)
        for detail in self.details:
            packed = any_pb2.Any()
            packed.Pack(detail)  # type_url "type.googleapis.com/google.rpc.BadRequest", ...
            status.details.append(packed)
        context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
        context.abort(self.code, self.message)


def error_info(reason, **metadata):
    return error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata)


def not_found(resource_type, resource_name, description):
    # resource_name echoes what the caller sent (it is theirs); it is never logged.
    return RpcError(grpc.StatusCode.NOT_FOUND, description,
                    error_details_pb2.ResourceInfo(resource_type=resource_type, resource_name=resource_name,
                                                   description=description),
                    error_info("RESOURCE_NOT_FOUND", resource_type=resource_type))


def failed_precondition(kind, subject, description, reason):
    violation = error_details_pb2.PreconditionFailure.Violation(type=kind, subject=subject, description=description)
    return RpcError(grpc.StatusCode.FAILED_PRECONDITION, description,
                    error_details_pb2.PreconditionFailure(violations=[violation]), error_info(reason))


class Violations:
    """The bad fields of one request, reported together as one INVALID_ARGUMENT with a google.rpc.BadRequest."""

    def __init__(self):
        self._list = []

    def add(self, field, reason, description):
        if not self.has(field):
            self._list.append(error_details_pb2.BadRequest.FieldViolation(
                field=field, description=description, reason=reason))

    def has(self, *fields):
        return any(v.field in fields for v in self._list)

    def raise_if_any(self):
        if not self._list:
            return
        if len(self._list) == 1:
            message = f"Invalid {self._list[0].field}: {self._list[0].description}"
        else:
            message = f"{len(self._list)} invalid fields: {', '.join(v.field for v in self._list)}."
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, message,
                       error_details_pb2.BadRequest(field_violations=self._list), error_info("INVALID_REQUEST"))


# ---------------------------------------------------------------------------------------------------------------
# Field rules (guide section 2; descriptions never repeat the value: it may be personal data)
# ---------------------------------------------------------------------------------------------------------------

CENTURIES = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
ASCII_DIGITS = re.compile(r"[0-9]+")  # [0-9], not \d: other scripts' digits are not digits of an IIN
TOKEN = re.compile(r"[A-Za-z0-9-]+")
UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def check_digit(first11):
    """The 12th digit of an IIN or BIN with these 11 digits, or None when no such number is ever issued."""
    digits = [int(c) for c in first11]
    k = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
    if k == 10:
        k = sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))) % 11
    return None if k == 10 else k


def iin_problem(value):
    """(reason, description) of what is wrong with an IIN, in the gateway's order; None when it is valid."""
    if not value:
        return "IIN_MISSING", "The IIN is required."
    if not ASCII_DIGITS.fullmatch(value):
        return "IIN_NOT_DIGITS", "The IIN must contain only the digits 0-9."
    if len(value) != 12:
        return "IIN_WRONG_LENGTH", f"The IIN must be exactly 12 digits; {len(value)} were given."
    century = CENTURIES.get(value[6])
    if century is None:
        return "IIN_INVALID_CENTURY_DIGIT", "The IIN's 7th digit (century and sex) must be 1 to 6."
    try:
        dt.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return "IIN_INVALID_BIRTH_DATE", "The IIN's first 6 digits (YYMMDD) are not a real date of birth."
    expected = check_digit(value[:11])
    if expected is None:
        return "IIN_NEVER_ISSUED", "The IIN cannot exist: its first 11 digits admit no check digit."
    if int(value[11]) != expected:
        return "IIN_CHECK_DIGIT_MISMATCH", "The IIN check digit (the 12th digit) is wrong."
    return None  # a birth date after today passes: a well-formed IIN of nobody, an unknown citizen


def check_iin(violations, value):
    problem = iin_problem(value)
    if problem:
        violations.add("iin", *problem)


def check_token(violations, field, value, maximum, what, reason_prefix):
    """An identifier issued by the provider: 1 to `maximum` characters of A-Z, a-z, 0-9 and '-'."""
    if not value:
        violations.add(field, f"{reason_prefix}_MISSING", f"{field} is required.")
    elif len(value) > maximum or not TOKEN.fullmatch(value):
        violations.add(field, f"{reason_prefix}_MALFORMED",
                       f"{field} must be {what}: 1 to {maximum} characters of A-Z, a-z, 0-9 and '-'.")


def check_account_number(violations, value):
    check_token(violations, "account_number", value, 32, "a personal account number", "ACCOUNT_NUMBER")


def check_page_size(violations, page_size):
    if page_size < 0:
        violations.add("page_size", "PAGE_SIZE_NEGATIVE",
                       f"page_size must be zero (the default) or positive; at most {MAX_PAGE_SIZE} items are returned.")


def check_request_id(violations, value):
    if not value:
        violations.add("request_id", "REQUEST_ID_MISSING", "request_id (the idempotency key) is required on every write.")
    elif not UUID.fullmatch(value):
        violations.add("request_id", "REQUEST_ID_MALFORMED",
                       "request_id must be a UUID written 8-4-4-4-12, such as 7f1c2a9e-5b3d-4c1e-9a8f-0d6e4b2c1a3f.")


def check_past_or_today(violations, field, message, has_value):
    """A required google.type.Date that is a real day, not after today in Kazakhstan. Returns it, or None."""
    if not has_value:
        violations.add(field, "DATE_MISSING", f"{field} is required.")
        return None
    try:
        day = dt.date(message.year, message.month, message.day)
    except ValueError:
        violations.add(field, "DATE_INVALID", f"{field} is not a real calendar date (year, month and day are all required).")
        return None
    if day > kazakhstan_today():
        violations.add(field, "DATE_IN_FUTURE", f"{field} must not be in the future.")
        return None
    return day


def page_size_of(requested):
    return DEFAULT_PAGE_SIZE if requested == 0 else min(requested, MAX_PAGE_SIZE)


# ---------------------------------------------------------------------------------------------------------------
# Page tokens: an offset, bound to one list (method, citizen, account) by an HMAC
# ---------------------------------------------------------------------------------------------------------------

class PageTokens:
    """Opaque page tokens. A token of another list, edited, forged or from another key is refused.

    The key is made at start-up, so tokens do not outlive the process; a provider with several instances behind
    one address reads one shared key from its secrets instead.
    """

    _VERSION = 1
    _MAC_BYTES = 16
    _SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")

    def __init__(self, key=None):
        self._key = key or secrets.token_bytes(32)

    def _mac(self, scope, offset):
        return hmac.new(self._key, f"{scope}\0{offset}".encode(), hashlib.sha256).digest()[:self._MAC_BYTES]

    def issue(self, scope, offset):
        raw = struct.pack(">BI", self._VERSION, offset) + self._mac(scope, offset)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def read(self, scope, token):
        """The offset `token` carries, or None when this provider did not issue it for `scope`."""
        if not self._SHAPE.fullmatch(token):
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            return None
        if len(raw) != 5 + self._MAC_BYTES or raw[0] != self._VERSION:
            return None
        offset = struct.unpack(">I", raw[1:5])[0]
        if offset < 1 or not hmac.compare_digest(raw[5:], self._mac(scope, offset)):
            return None
        return offset

    def offset(self, violations, scope, page_token):
        """Where the page of `page_token` starts (0 for none); a token not issued for `scope` is a violation."""
        if not page_token:
            return 0
        offset = self.read(scope, page_token)
        if offset is None:
            violations.add("page_token", "PAGE_TOKEN_INVALID",
                           "page_token must be a next_page_token returned by the previous page of this list.")
        return offset

    def page(self, scope, items, offset, page_size):
        """The page of `items` from `offset`, and the token of the next page ("" on the last)."""
        page = items[offset:offset + page_size_of(page_size)]
        end = offset + len(page)
        return page, (self.issue(scope, end) if page and end < len(items) else "")


# ---------------------------------------------------------------------------------------------------------------
# Demo data: a fictional water company; bills of the last complete months, computed from the day it starts
# ---------------------------------------------------------------------------------------------------------------

PROVIDER_NAME = "Kaskelen Water (demo)"
TARIFF_TIYN_PER_CUBIC_METRE = 15640  # 156.40 KZT per m3, water and sewerage
CITIZEN_A = "791028302728"  # the conformance kit's default test citizen: three accounts
CITIZEN_B = "580203420876"  # the kit's default other citizen: an active and a CLOSED metered account


def months_before(day, count):
    """The first day of the month `count` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def moment(day, hour, minute):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=KAZAKHSTAN)


class AccountRecord:
    """One account of the store: the contract's messages plus the owner, kept out of every answer."""

    def __init__(self, iin, account, invoices, payments, balance_tiyn):
        self.iin = iin
        self.account = account  # replaced as a whole when a reading is accepted
        self.invoices = invoices  # newest billing period first
        self.payments = payments  # newest first
        self.balance_tiyn = balance_tiyn


def build_account(iin, number, address, state, opened, meters, monthly_milli, paid_months, today):
    """An account billed monthly for the last len(monthly_milli) complete months (oldest first), each invoice
    issued on the 1st and due on the 25th of the next month; the oldest `paid_months` paid in full."""
    invoices, payments = [], []
    total_billed = total_paid = 0
    months = len(monthly_milli)
    channels = [pb.PAYMENT_CHANNEL_BANK, pb.PAYMENT_CHANNEL_STANDING_ORDER, pb.PAYMENT_CHANNEL_CASH_DESK,
                pb.PAYMENT_CHANNEL_UNSPECIFIED]  # optional: UNSPECIFIED when the bank did not say how
    for i, milli in enumerate(monthly_milli):
        start = months_before(today, months - i)
        issued = months_before(today, months - i - 1)
        end = issued - dt.timedelta(days=1)
        due = issued.replace(day=25)
        amount = milli * TARIFF_TIYN_PER_CUBIC_METRE // 1000
        invoice_id = f"KW-INV-{start:%Y%m}-{number[-5:]}"
        if i < paid_months:
            state_of_invoice = pb.INVOICE_STATE_PAID
            payments.insert(0, pb.Payment(
                payment_id=f"KW-PAY-{issued:%Y%m}18-{number[-5:]}", account_number=number,
                amount=money(amount), paid_time=timestamp(moment(issued.replace(day=18), 11, 20 + i)),
                channel=channels[i % len(channels)], invoice_id=invoice_id))
            total_paid += amount
        else:
            state_of_invoice = pb.INVOICE_STATE_UNPAID if today <= due else pb.INVOICE_STATE_OVERDUE
        total_billed += amount
        invoices.insert(0, pb.Invoice(
            invoice_id=invoice_id, account_number=number,
            billing_period=common_pb2.DateRange(start_date=date(start), end_date=date(end)),
            amount=money(amount), consumption_milli_units=milli, consumption_unit=pb.METER_UNIT_CUBIC_METRE,
            issue_date=date(issued), due_date=date(due), state=state_of_invoice))
    account = pb.Account(account_number=number, service_type=pb.SERVICE_TYPE_WATER, provider_name=PROVIDER_NAME,
                         address=address, state=state, meters=meters, open_time=timestamp(opened))
    return AccountRecord(iin, account, invoices, payments, total_billed - total_paid)


def meter(meter_id, serial, last_milli, last_day):
    return pb.Meter(meter_id=meter_id, serial_number=serial, unit=pb.METER_UNIT_CUBIC_METRE,
                    last_reading_milli_units=last_milli, last_reading_date=date(last_day))


def demo_accounts(today):
    # Meters were last read on the 25th of the last billed month: never after any day a desk may send now.
    last_read = months_before(today, 1).replace(day=25)
    karasai = common_pb2.Address(kato_code="195200000", region="Almaty region", district="Karasai district",
                                 locality="Kaskelen", street_address="Abai street 12", postal_code="040900")
    ili = common_pb2.Address(kato_code="196800000", region="Almaty region", district="Ili district",
                             locality="Otegen Batyr", street_address="Garden partnership Almaly, plot 48",
                             postal_code="040700")
    old_flat = common_pb2.Address(kato_code="195200000", region="Almaty region", district="Karasai district",
                                  locality="Kaskelen", street_address="Tauelsizdik street 7", apartment="31",
                                  postal_code="040900")
    other = common_pb2.Address(kato_code="195200000", region="Almaty region", district="Karasai district",
                               locality="Kaskelen", street_address="Zhibek Zholy street 40", postal_code="040900")
    return [
        build_account(CITIZEN_A, "KW-0041187", karasai, pb.ACCOUNT_STATE_ACTIVE, moment(dt.date(2012, 6, 1), 10, 0),
                      [meter("CW-1", "SGV-15-0348812", 1_284_515, last_read),
                       meter("HW-1", "SGV-15-0348813", 412_930, last_read)],
                      [9_412, 8_870, 10_105, 9_960, 11_240, 10_330], paid_months=5, today=today),
        build_account(CITIZEN_A, "KW-0093315", ili, pb.ACCOUNT_STATE_SUSPENDED, moment(dt.date(2016, 8, 22), 9, 30),
                      [meter("CW-1", "SGV-15-1190774", 96_210, last_read)],
                      [4_120, 5_730, 6_050], paid_months=0, today=today),
        build_account(CITIZEN_A, "KW-0007702", old_flat, pb.ACCOUNT_STATE_CLOSED, moment(dt.date(2004, 3, 30), 9, 0),
                      [], [3_020, 2_870], paid_months=2, today=today),  # closed: meters removed, bills settled
        build_account(CITIZEN_B, "KW-0120458", other, pb.ACCOUNT_STATE_ACTIVE, moment(dt.date(2019, 11, 6), 15, 10),
                      [meter("CW-1", "SGV-15-2207415", 354_008, last_read)],
                      [7_310, 6_980, 7_455], paid_months=2, today=today),
        build_account(CITIZEN_B, "KW-0120469", other, pb.ACCOUNT_STATE_CLOSED, moment(dt.date(2011, 2, 14), 11, 0),
                      [meter("CW-1", "SGV-15-0873301", 118_440, last_read)],  # closed, its meter not yet removed
                      [2_150, 2_040], paid_months=2, today=today),
    ]


def money(tiyn):
    return common_pb2.Money(minor_units=tiyn, currency_code="KZT")


def date(day):
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


def timestamp(when):
    seconds = when.timestamp()
    return timestamp_pb2.Timestamp(seconds=int(seconds), nanos=int(round((seconds % 1) * 1e9)))


def due_day(record, today):
    """When a debt is due: the newest bill's due day while it is ahead, else the next 25th (as combined bills)."""
    newest = record.invoices[0].due_date
    due = dt.date(newest.year, newest.month, newest.day)
    if due >= today:
        return due
    due = today.replace(day=25)
    return due if due >= today else months_before(today, -1).replace(day=25)


class Store:
    """The accounts in memory; one lock makes each write (check, effect, record) atomic."""

    def __init__(self, accounts):
        self._by_number = {a.account.account_number: a for a in accounts}
        self._by_iin = collections.defaultdict(list)
        for record in sorted(accounts, key=lambda a: a.account.account_number):  # a stable order
            self._by_iin[record.iin].append(record)
        # (method, x-client-id, request_id in lower case) -> (payload, response): a request_id is scoped to the method
        # and the gateway client that sent it (another client's same request_id is a write of its own).
        self._readings = collections.OrderedDict()
        self._next_reading = 1
        self.lock = threading.Lock()

    def accounts_of(self, iin):
        return [record.account for record in self._by_iin.get(iin, [])]

    def owned(self, iin, account_number):
        """The citizen's account; NOT_FOUND, the same answer, when it does not exist or is another citizen's."""
        record = self._by_number.get(account_number)
        if record is None or record.iin != iin:
            raise not_found(ACCOUNT_RESOURCE, account_number, "No such account for this citizen.")
        return record

    def replay(self, scope, payload):
        """The first response to `scope` (method, client, request_id), or None for a new one; ALREADY_EXISTS if it
        was another request. Checked before the account is looked up: ALREADY_EXISTS comes before NOT_FOUND."""
        earlier = self._readings.get(scope)
        if earlier is None:
            return None
        if earlier[0] != payload:
            raise RpcError(grpc.StatusCode.ALREADY_EXISTS,
                           "This request_id was already used for a different request; choose a new request_id "
                           "for a new write.", error_info("REQUEST_ID_REUSED"))
        return earlier[1]

    def record(self, scope, payload, response):
        self._readings[scope] = (payload, response)
        while len(self._readings) > MAX_IDEMPOTENCY_RECORDS:
            self._readings.popitem(last=False)

    def new_reading_id(self):
        reading_id = f"KW-MR-{self._next_reading:08d}"
        self._next_reading += 1
        return reading_id


# ---------------------------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------------------------

def check_deadline(context):
    """Ends the call with DEADLINE_EXCEEDED once the caller's deadline (grpc-timeout) has passed."""
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise RpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "The deadline passed before the answer was ready.")


AUDIT_VALUE = re.compile(r"[^A-Za-z0-9._@:-]")


def audited(method):
    """Runs a handler: deadline first, RpcError to its status with details, one audit line per call."""
    def handler(self, request, context):
        code = grpc.StatusCode.OK
        try:
            check_deadline(context)
            return method(self, request, context)
        except RpcError as error:
            code = error.code
            error.abort(context)
        except Exception:
            code = grpc.StatusCode.INTERNAL
            log.exception("%s failed", method.__name__)  # a failure of this code; the request is not logged
            context.abort(code, "The utilities provider failed to answer.")
        finally:
            audit(method.__name__, context, code)
    handler.__name__ = method.__name__
    return handler


def audit(method, context, code):
    """Who asked, as the gateway says (x-client-id, x-operator-id, x-access-purpose), and the outcome."""
    metadata = dict(context.invocation_metadata())

    def value(key):  # the gateway's words, for our records; bounded, and no control characters in the log
        return AUDIT_VALUE.sub("?", metadata.get(key, "-"))[:64] or "-"
    trace = metadata.get("traceparent", "").split("-")
    log.info("audit method=%s client=%s operator=%s purpose=%s trace=%s code=%s", method, value("x-client-id"),
             value("x-operator-id"), value("x-access-purpose"), AUDIT_VALUE.sub("?", trace[1])[:32] if len(trace) > 1 else "-",
             code.name)


class UtilitiesProvider(utilities_pb2_grpc.UtilitiesServiceServicer):
    def __init__(self, store, tokens):
        self._store = store
        self._tokens = tokens

    @audited
    def ListAccounts(self, request, context):
        scope = f"ListAccounts\0{request.iin}"
        offset = self._checked_list_request(request, scope)
        accounts = self._store.accounts_of(request.iin)  # an unknown citizen: an empty page
        page, next_token = self._tokens.page(scope, accounts, offset, request.page_size)
        return pb.ListAccountsResponse(accounts=page, next_page_token=next_token)

    @audited
    def GetAccountBalance(self, request, context):
        violations = Violations()
        check_iin(violations, request.iin)
        check_account_number(violations, request.account_number)
        violations.raise_if_any()
        record = self._store.owned(request.iin, request.account_number)
        balance = pb.AccountBalance(account_number=record.account.account_number, balance=money(record.balance_tiyn),
                                    amount_due=money(max(record.balance_tiyn, 0)),
                                    as_of_time=timestamp(dt.datetime.now(KAZAKHSTAN)))
        if record.balance_tiyn > 0:
            balance.due_date.CopyFrom(date(due_day(record, kazakhstan_today())))
        return pb.GetAccountBalanceResponse(balance=balance)

    @audited
    def ListInvoices(self, request, context):
        invoices, next_token = self._account_page(request, "ListInvoices", lambda record: record.invoices)
        return pb.ListInvoicesResponse(invoices=invoices, next_page_token=next_token)

    @audited
    def ListPayments(self, request, context):
        payments, next_token = self._account_page(request, "ListPayments", lambda record: record.payments)
        return pb.ListPaymentsResponse(payments=payments, next_page_token=next_token)

    def _account_page(self, request, method, items_of):
        """A page of one of the citizen's accounts' lists, and the next page's token (bound to this list)."""
        scope = f"{method}\0{request.iin}\0{request.account_number}"
        offset = self._checked_list_request(request, scope)
        items = items_of(self._store.owned(request.iin, request.account_number))
        return self._tokens.page(scope, items, offset, request.page_size)

    def _checked_list_request(self, request, scope):
        """Every field of a List request, before anything is looked up; returns where the page starts."""
        violations = Violations()
        check_iin(violations, request.iin)
        if "account_number" in request.DESCRIPTOR.fields_by_name:
            check_account_number(violations, request.account_number)
        check_page_size(violations, request.page_size)
        offset = 0 if violations.has("iin", "account_number") else self._tokens.offset(
            violations, scope, request.page_token)  # a token is checked against a well-formed list only
        violations.raise_if_any()
        return offset

    @audited
    def CreateMeterReading(self, request, context):
        violations = Violations()
        check_request_id(violations, request.request_id)
        check_iin(violations, request.iin)
        check_account_number(violations, request.account_number)
        check_token(violations, "meter_id", request.meter_id, 32, "a meter id", "METER_ID")
        if request.value_milli_units < 0:
            violations.add("value_milli_units", "VALUE_NEGATIVE", "value_milli_units must be zero or positive.")
        reading_day = check_past_or_today(violations, "reading_date", request.reading_date,
                                          request.HasField("reading_date"))
        violations.raise_if_any()

        payload = pb.CreateMeterReadingRequest()
        payload.CopyFrom(request)
        payload.request_id = ""  # what the write asks for: the same request_id must come with the same payload
        payload = payload.SerializeToString(deterministic=True)
        # The request_id's scope: this method and the gateway client (a call without x-client-id is one more client);
        # UUIDs compare without the case of their hexadecimal digits.
        client = dict(context.invocation_metadata()).get("x-client-id", "")
        scope = ("CreateMeterReading", client, request.request_id.lower())
        with self._store.lock:
            first = self._store.replay(scope, payload)
            if first is not None:
                return first  # a retry: the first result, no second effect
            response = self._accept(request, reading_day)
            check_deadline(context)  # the caller has given up: no effect it will never hear of
            self._store.record(scope, payload, response)
            self._commit(request, response)
            return response

    def _accept(self, request, reading_day):
        """The reading as it will be recorded, or the reason it cannot be (checked in the demo providers' order)."""
        record = self._store.owned(request.iin, request.account_number)
        meters = [m for m in record.account.meters if m.meter_id == request.meter_id]
        if not meters:
            raise not_found(METER_RESOURCE, request.meter_id, "No such meter on this account.")
        subject = f"meters/{request.meter_id}"
        if record.account.state == pb.ACCOUNT_STATE_CLOSED:
            raise failed_precondition("ACCOUNT_STATE", "account", "The account is closed; it takes no more readings.",
                                      "ACCOUNT_CLOSED")
        last = meters[0]
        if request.value_milli_units < last.last_reading_milli_units:
            raise failed_precondition("METER_READING", subject, "The reading is below the meter's last accepted reading.",
                                      "READING_BELOW_LAST_READING")
        if last.HasField("last_reading_date") and reading_day < dt.date(
                last.last_reading_date.year, last.last_reading_date.month, last.last_reading_date.day):
            raise failed_precondition("METER_READING", subject,
                                      "The reading is dated before the meter's last accepted reading.",
                                      "READING_DATE_BEFORE_LAST_READING")
        reading = pb.MeterReading(reading_id=self._store.new_reading_id(), account_number=record.account.account_number,
                                  meter_id=last.meter_id, value_milli_units=request.value_milli_units,
                                  reading_date=request.reading_date, accept_time=timestamp(dt.datetime.now(KAZAKHSTAN)))
        return pb.CreateMeterReadingResponse(reading=reading)

    def _commit(self, request, response):
        """The accepted reading becomes the meter's last; the account message is replaced, never changed in place."""
        record = self._store.owned(request.iin, request.account_number)
        updated = pb.Account()
        updated.CopyFrom(record.account)
        for m in updated.meters:
            if m.meter_id == request.meter_id:
                m.last_reading_milli_units = response.reading.value_milli_units
                m.last_reading_date.CopyFrom(response.reading.reading_date)
        record.account = updated


# ---------------------------------------------------------------------------------------------------------------
# grpc.health.v1, by hand (Debian packages no grpcio-health-checking)
# ---------------------------------------------------------------------------------------------------------------

class Health(health_pb2_grpc.HealthServicer):
    """Check and Watch of grpc.health.v1 for "" (the server) and the services named at start."""

    SERVING = health_pb2.HealthCheckResponse.SERVING
    NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING

    def __init__(self, services):
        self._status = {name: self.SERVING for name in services}
        self._changed = threading.Condition()

    def set_all(self, status):
        with self._changed:
            self._status = {name: status for name in self._status}
            self._changed.notify_all()

    def Check(self, request, context):
        with self._changed:
            status = self._status.get(request.service)
        if status is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "Unknown service.")
        return health_pb2.HealthCheckResponse(status=status)

    def Watch(self, request, context):
        sent = None
        while context.is_active():
            with self._changed:
                status = self._status.get(request.service, health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)
                if status == sent:
                    self._changed.wait(timeout=1.0)
                    continue
            sent = status
            yield health_pb2.HealthCheckResponse(status=status)


# ---------------------------------------------------------------------------------------------------------------
# API key (optional): what the gateway sends when the provider's entry has ApiKey (guide section 7)
# ---------------------------------------------------------------------------------------------------------------

class RequireApiKey(grpc.ServerInterceptor):
    """Refuses every call, health included, without the key: UNAUTHENTICATED. The key is never logged."""

    def __init__(self, header, key):
        self._header = header.lower()
        self._key = key.encode()

        def refuse(request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "A valid API key is required.")
        self._refuse = grpc.unary_unary_rpc_method_handler(refuse)

    def intercept_service(self, continuation, handler_call_details):
        sent = dict(handler_call_details.invocation_metadata).get(self._header, "")
        if isinstance(sent, str) and hmac.compare_digest(sent.encode(), self._key):
            return continuation(handler_call_details)
        return self._refuse


# ---------------------------------------------------------------------------------------------------------------
# Start-up and shut-down
# ---------------------------------------------------------------------------------------------------------------

def parse_options(argv):
    parser = argparse.ArgumentParser(prog=NAME, description="A utilities provider for ProviderGateway (demo data).")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 (the default) takes a free port")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--workers", type=int, default=16, help="calls served at once (default 16)")
    parser.add_argument("--api-key-file", help="require this key (the file's first line) on every call")
    parser.add_argument("--api-key-header", default="x-api-key", help="the header of the key (default x-api-key)")
    options = parser.parse_args(argv)
    if not 0 <= options.port <= 65535:
        parser.error("--port must be 0 to 65535")
    if options.workers < 1:
        parser.error("--workers must be at least 1")
    return options


def main(argv):
    options = parse_options(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format=f"%(asctime)s {NAME} %(levelname)s %(message)s")
    interceptors = []
    if options.api_key_file:
        key = Path(options.api_key_file).read_text(encoding="utf-8").splitlines()[0].strip()
        if not key:
            sys.exit(f"{NAME}: the API key file is empty.")
        interceptors.append(RequireApiKey(options.api_key_header, key))

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=options.workers), interceptors=interceptors,
                         options=[("grpc.so_reuseport", 0)])  # a port in use is an error, not a shared port
    utilities_pb2_grpc.add_UtilitiesServiceServicer_to_server(
        UtilitiesProvider(Store(demo_accounts(kazakhstan_today())), PageTokens()), server)
    health = Health(["", SERVICE_NAME])
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    host = f"[{options.host}]" if ":" in options.host and not options.host.startswith("[") else options.host
    try:
        port = server.add_insecure_port(f"{host}:{options.port}")  # h2c; TLS: add_secure_port, guide section 7
    except RuntimeError:
        port = 0
    if port == 0:
        sys.exit(f"{NAME}: cannot listen on {host}:{options.port}")
    server.start()
    print(f"{NAME} listening on {host}:{port}", flush=True)

    stopped = threading.Event()

    def stop(signum, _frame):
        log.info("%s received, shutting down", signal.Signals(signum).name)
        health.set_all(Health.NOT_SERVING)  # the gateway stops sending new calls; calls under way may finish
        server.stop(grace=5).wait()
        stopped.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stopped.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
