#!/usr/bin/env node
'use strict';

/*
 * A land registry provider for ProviderGateway, written in Node.js from the .proto files alone.
 *
 * It implements providergateway.landregistry.v1.LandRegistryService (and grpc.health.v1.Health) over
 * plain HTTP/2 (h2c), with in-memory demo data, following the conventions the contracts prescribe:
 *   - every `iin` is validated (12 digits, century digit, real birth date, check digit);
 *   - bad input is INVALID_ARGUMENT with a google.rpc.BadRequest, one violation per bad field;
 *   - unknown resources are NOT_FOUND with a google.rpc.ResourceInfo;
 *   - List pages are bounded, with opaque HMAC-signed page tokens bound to the citizen;
 *   - writes are idempotent by `request_id`.
 * Error details travel as the standard `grpc-status-details-bin` trailer (a serialized google.rpc.Status).
 *
 * Usage: node land-registry-provider.js [--port N] [--host H] [--protos DIR] [--ready-after SECONDS]
 * Prints one line when it is ready: "land-registry-provider listening on HOST:PORT".
 * Identifiers and names of citizens are never logged.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const { HealthImplementation } = require('grpc-health-check');

const NAME = 'land-registry-provider';
const SERVICE_NAME = 'providergateway.landregistry.v1.LandRegistryService';
const CONTRACT_FILE = 'providergateway/landregistry/v1/land_registry.proto';
const TYPE_URL_PREFIX = 'type.googleapis.com/';
const ERROR_DOMAIN = 'providergateway.kz';

const PARCEL_RESOURCE = 'landregistry.v1.Parcel';
const ORDER_RESOURCE = 'landregistry.v1.CertificateOrder';

const DEFAULT_PAGE_SIZE = 2;
const MAX_PAGE_SIZE = 100;
const CADASTRAL_NUMBER = /^\d{2}-\d{3}-\d{3}-\d{3}$/;
const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

// How many idempotency records are kept; the oldest are forgotten first.
const MAX_IDEMPOTENCY_RECORDS = 100000;

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

function usage() {
  return [
    `Usage: node ${path.basename(__filename)} [options]`,
    '  --port N              port to listen on; 0 (the default) takes a free port',
    '  --host H              address to listen on (default 127.0.0.1)',
    '  --protos DIR          the contracts\' proto folder (default: the repository\'s protos/)',
    '  --ready-after SECONDS how long a new certificate order stays IN_PROGRESS before it is READY (default 300)',
    '  --help                this text',
  ].join('\n');
}

function fail(message) {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        protos: { type: 'string', default: path.resolve(__dirname, '../../../protos') },
        'ready-after': { type: 'string', default: '300' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${e.message}\n${usage()}`);
  }

  if (parsed.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }

  const port = Number(parsed.port);
  if (!/^\d+$/.test(parsed.port) || port > 65535) {
    fail(`--port must be 0 to 65535, not '${parsed.port}'.`);
  }

  const readyAfter = Number(parsed['ready-after']);
  if (!/^\d+$/.test(parsed['ready-after'])) {
    fail(`--ready-after must be a whole number of seconds, not '${parsed['ready-after']}'.`);
  }

  const protosDir = path.resolve(parsed.protos);
  if (!fs.existsSync(path.join(protosDir, CONTRACT_FILE))) {
    fail(`${CONTRACT_FILE} is not in '${protosDir}'; pass the contracts' proto folder with --protos DIR.`);
  }

  if (parsed.host.length === 0) {
    fail('--host must not be empty.');
  }

  return { port, host: parsed.host, protosDir, readyAfterMs: readyAfter * 1000 };
}

// ---------------------------------------------------------------------------------------------
// Errors with google.rpc details
// ---------------------------------------------------------------------------------------------

/** Encoders of google.rpc.Status and its detail messages, loaded from the vendored protos. */
function loadErrorTypes(protosDir) {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    const vendored = path.join(protosDir, target);
    return fs.existsSync(vendored) ? vendored : protobuf.util.path.resolve(origin, target);
  };
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  return {
    Status: root.lookupType('google.rpc.Status'),
    details: {
      'google.rpc.BadRequest': root.lookupType('google.rpc.BadRequest'),
      'google.rpc.ResourceInfo': root.lookupType('google.rpc.ResourceInfo'),
      'google.rpc.ErrorInfo': root.lookupType('google.rpc.ErrorInfo'),
    },
  };
}

/** A gRPC error the handlers throw: a status code, a message and google.rpc detail messages. */
class RpcError extends Error {
  /**
   * @param {number} code gRPC status code.
   * @param {string} message for people; never carries personal data.
   * @param {Array<{type: string, value: object}>} details google.rpc detail messages by full type name.
   */
  constructor(code, message, details = []) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.rpcDetails = details;
  }

  /** The error object grpc-js expects, with the google.rpc.Status in the grpc-status-details-bin trailer. */
  toServiceError(errorTypes) {
    const status = errorTypes.Status.fromObject({
      code: this.code,
      message: this.message,
      details: this.rpcDetails.map(({ type, value }) => {
        const messageType = errorTypes.details[type];
        return {
          type_url: TYPE_URL_PREFIX + type,
          value: messageType.encode(messageType.fromObject(value)).finish(),
        };
      }),
    });
    const metadata = new grpc.Metadata();
    metadata.set('grpc-status-details-bin', Buffer.from(errorTypes.Status.encode(status).finish()));
    return { code: this.code, details: this.message, metadata };
  }
}

/** Collects the field violations of one request, then throws them together as INVALID_ARGUMENT. */
class Violations {
  constructor() {
    this.list = [];
  }

  add(field, reason, description) {
    if (!this.list.some((v) => v.field === field)) {
      this.list.push({ field, description, reason });
    }
  }

  has(field) {
    return this.list.some((v) => v.field === field);
  }

  throwIfAny() {
    if (this.list.length === 0) {
      return;
    }
    const fields = this.list.map((v) => v.field).join(', ');
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `The request has invalid fields: ${fields}.`, [
      { type: 'google.rpc.BadRequest', value: { field_violations: this.list } },
    ]);
  }
}

function notFound(resourceType, resourceName, message) {
  return new RpcError(grpc.status.NOT_FOUND, message, [
    {
      type: 'google.rpc.ResourceInfo',
      value: { resource_type: resourceType, resource_name: resourceName, description: message },
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Identifier rules
// ---------------------------------------------------------------------------------------------

const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/** The check digit of the first 11 digits of an IIN or BIN, or null when none exists (never issued). */
function checkDigit(first11) {
  const weighted = (weights) => weights.reduce((sum, w, i) => sum + w * (first11.charCodeAt(i) - 48), 0) % 11;
  let k = weighted(FIRST_WEIGHTS);
  if (k === 10) {
    k = weighted(SECOND_WEIGHTS);
  }
  return k === 10 ? null : k;
}

const CENTURIES = { 1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000 };

/** Why `value` is not a valid IIN ({reason, description}), or null when it is. */
function iinProblem(value) {
  if (value.length === 0) {
    return { reason: 'IIN_MISSING', description: 'The IIN is required.' };
  }
  if (!/^\d+$/.test(value)) {
    return { reason: 'IIN_NOT_DIGITS', description: 'The IIN must contain only the digits 0-9.' };
  }
  if (value.length !== 12) {
    return { reason: 'IIN_WRONG_LENGTH', description: `The IIN must be exactly 12 digits; ${value.length} were given.` };
  }
  const century = CENTURIES[value[6]];
  if (century === undefined) {
    return { reason: 'IIN_INVALID_CENTURY_DIGIT', description: "The IIN's 7th digit (century and sex) must be 1 to 6." };
  }
  const year = century + Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  if (!isRealDate(year, month, day)) {
    return { reason: 'IIN_INVALID_BIRTH_DATE', description: "The IIN's first 6 digits (YYMMDD) are not a real date of birth." };
  }
  if (checkDigit(value.slice(0, 11)) !== Number(value[11])) {
    return { reason: 'IIN_CHECK_DIGIT_MISMATCH', description: 'The IIN check digit (the 12th digit) is wrong.' };
  }
  return null;
}

function isRealDate(year, month, day) {
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function validateIin(violations, value) {
  const problem = iinProblem(value);
  if (problem) {
    violations.add('iin', problem.reason, problem.description);
  }
  return problem === null;
}

function validateCadastralNumber(violations, value, { required }) {
  if (value.length === 0) {
    if (required) {
      violations.add('cadastral_number', 'CADASTRAL_NUMBER_MISSING', 'The cadastral number is required.');
    }
    return false;
  }
  if (!CADASTRAL_NUMBER.test(value)) {
    violations.add('cadastral_number', 'CADASTRAL_NUMBER_MALFORMED',
      'A cadastral number has the form NN-NNN-NNN-NNN, for example 03-047-155-123.');
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Page tokens: an offset, bound to the method and the citizen by an HMAC
// ---------------------------------------------------------------------------------------------

const TOKEN_VERSION = 1;
const TOKEN_MAC_BYTES = 16;
const TOKEN_BYTES = 1 + 4 + TOKEN_MAC_BYTES;
const TOKEN_KEY = Buffer.from(crypto.hkdfSync('sha256', 'providergateway/land-registry-provider', 'page-token-salt', 'page-token v1', 32));

function tokenMac(scope, offset) {
  return crypto.createHmac('sha256', TOKEN_KEY).update(`${scope}\u0000${offset}`).digest().subarray(0, TOKEN_MAC_BYTES);
}

function issuePageToken(scope, offset) {
  const head = Buffer.alloc(5);
  head.writeUInt8(TOKEN_VERSION, 0);
  head.writeUInt32BE(offset, 1);
  return Buffer.concat([head, tokenMac(scope, offset)]).toString('base64url');
}

/** The offset a token issued for `scope` carries, or null when this server did not issue it for that scope. */
function readPageToken(scope, token) {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) {
    return null;
  }
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== TOKEN_BYTES || raw.toString('base64url') !== token || raw.readUInt8(0) !== TOKEN_VERSION) {
    return null;
  }
  const offset = raw.readUInt32BE(1);
  const mac = raw.subarray(5);
  if (offset < 1 || !crypto.timingSafeEqual(mac, tokenMac(scope, offset))) {
    return null;
  }
  return offset;
}

// ---------------------------------------------------------------------------------------------
// Demo data (fictional people and parcels)
// ---------------------------------------------------------------------------------------------

function date(year, month, day) {
  return { year, month, day };
}

function timestampOf(ms) {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1000000 };
}

function timestamp(iso) {
  return timestampOf(Date.parse(iso));
}

// Citizens. 791028302728 holds rights on three parcels, 720119319078 on one; the co-owner of the
// first parcel is the first citizen's spouse. Everybody else holds none.
const CITIZEN_A = '791028302728';
const CITIZEN_A_SPOUSE = '810315410005';
const CITIZEN_B = '720119319078';

const ALMATY_REGION = 'Almaty region';
const ZHETYSU_REGION = 'Zhetysu region';

const PARCELS = [
  {
    cadastral_number: '03-047-155-123',
    area_square_metres: '800',
    purpose: 'LAND_PURPOSE_INDIVIDUAL_HOUSING',
    address: {
      kato_code: '195200000',
      region: ALMATY_REGION,
      district: 'Karasai district',
      locality: 'Kaskelen',
      street_address: 'Abai street 12',
      apartment: '',
      postal_code: '040900',
    },
    rights_holders: [
      {
        iin: CITIZEN_A,
        display_name: 'Seitkali A. B.',
        right_type: 'RIGHT_TYPE_OWNERSHIP',
        share_numerator: 1,
        share_denominator: 2,
        registration_date: date(2012, 5, 14),
      },
      {
        iin: CITIZEN_A_SPOUSE,
        display_name: 'Seitkali G. M.',
        right_type: 'RIGHT_TYPE_OWNERSHIP',
        share_numerator: 1,
        share_denominator: 2,
        registration_date: date(2012, 5, 14),
      },
    ],
    encumbrances: [
      {
        type: 'ENCUMBRANCE_TYPE_MORTGAGE',
        beneficiary: 'Steppe Housing Bank (demo)',
        registration_date: date(2019, 9, 3),
        end_date: date(2034, 9, 3),
      },
    ],
    registration_time: timestamp('2012-05-14T10:20:00+05:00'),
  },
  {
    cadastral_number: '03-055-021-310',
    area_square_metres: '600',
    purpose: 'LAND_PURPOSE_GARDENING',
    address: {
      kato_code: '196800000',
      region: ALMATY_REGION,
      district: 'Ili district',
      locality: 'Otegen Batyr',
      street_address: 'Garden partnership "Almaly", plot 48',
      apartment: '',
      postal_code: '040700',
    },
    rights_holders: [
      {
        iin: CITIZEN_A,
        display_name: 'Seitkali A. B.',
        right_type: 'RIGHT_TYPE_OWNERSHIP',
        share_numerator: 1,
        share_denominator: 1,
        registration_date: date(2016, 8, 22),
      },
    ],
    encumbrances: [],
    registration_time: timestamp('2004-03-30T09:00:00+05:00'),
  },
  {
    cadastral_number: '03-262-031-017',
    area_square_metres: '250000',
    purpose: 'LAND_PURPOSE_AGRICULTURE',
    address: {
      kato_code: '193600000',
      region: ALMATY_REGION,
      district: 'Balkhash district',
      locality: 'Bakanas',
      street_address: 'Rural district Bakanas, field 7',
      apartment: '',
      postal_code: '040200',
    },
    rights_holders: [
      {
        iin: CITIZEN_A,
        display_name: 'Seitkali A. B.',
        right_type: 'RIGHT_TYPE_TEMPORARY_USE',
        share_numerator: 1,
        share_denominator: 1,
        registration_date: date(2020, 4, 1),
      },
    ],
    encumbrances: [
      {
        type: 'ENCUMBRANCE_TYPE_EASEMENT',
        beneficiary: 'Balkhash irrigation canal operator (demo)',
        registration_date: date(2021, 6, 15),
        end_date: null,
      },
    ],
    registration_time: timestamp('2020-04-01T11:45:00+05:00'),
  },
  {
    cadastral_number: '03-250-017-042',
    area_square_metres: '1200',
    purpose: 'LAND_PURPOSE_COMMERCIAL',
    address: {
      kato_code: '331000000',
      region: ZHETYSU_REGION,
      district: 'Taldykorgan city',
      locality: 'Taldykorgan',
      street_address: 'Kabanbai Batyr street 58',
      apartment: '',
      postal_code: '040000',
    },
    rights_holders: [
      {
        iin: CITIZEN_B,
        display_name: 'Zhaksylykova D. K.',
        right_type: 'RIGHT_TYPE_OWNERSHIP',
        share_numerator: 1,
        share_denominator: 1,
        registration_date: date(2018, 11, 6),
      },
    ],
    encumbrances: [
      {
        type: 'ENCUMBRANCE_TYPE_LEASE',
        beneficiary: 'Zhetysu Trade LLP (demo)',
        registration_date: date(2023, 2, 1),
        end_date: date(2028, 1, 31),
      },
    ],
    registration_time: timestamp('2009-07-17T15:10:00+05:00'),
  },
];

const PARCELS_BY_NUMBER = new Map(PARCELS.map((p) => [p.cadastral_number, p]));

/** The parcels on which `iin` holds a right, in a stable order (by cadastral number). */
function parcelsOf(iin) {
  return PARCELS.filter((p) => p.rights_holders.some((h) => h.iin === iin))
    .sort((a, b) => a.cadastral_number.localeCompare(b.cadastral_number));
}

// ---------------------------------------------------------------------------------------------
// Certificate orders
// ---------------------------------------------------------------------------------------------

const CERTIFICATE_TYPES_FOR_ONE_PARCEL = new Set([
  'CERTIFICATE_TYPE_RIGHTS_AND_ENCUMBRANCES',
  'CERTIFICATE_TYPE_RIGHTS_HISTORY',
]);
const COUNTRY_WIDE_CERTIFICATE_TYPE = 'CERTIFICATE_TYPE_REAL_ESTATE_OWNERSHIP';

class CertificateOrders {
  constructor(readyAfterMs) {
    this.readyAfterMs = readyAfterMs;
    this.orders = new Map(); // order_id -> { iin, order, readyAtMs }
    this.byRequestId = new Map(); // gateway client + request_id (lower case) -> { fingerprint, response }
    this.seed();
  }

  seed() {
    this.orders.set('CO-20240311-0417', {
      iin: CITIZEN_A,
      readyAtMs: null,
      order: {
        order_id: 'CO-20240311-0417',
        certificate_type: 'CERTIFICATE_TYPE_RIGHTS_AND_ENCUMBRANCES',
        cadastral_number: '03-047-155-123',
        state: 'CERTIFICATE_ORDER_STATE_READY',
        create_time: timestamp('2024-03-11T09:14:05+05:00'),
        update_time: timestamp('2024-03-12T16:02:40+05:00'),
        expected_ready_time: null,
        document_number: 'ZK-2024-03-0188421',
        rejection_reason: '',
      },
    });
    this.orders.set('CO-20240902-1130', {
      iin: CITIZEN_A,
      readyAtMs: null,
      order: {
        order_id: 'CO-20240902-1130',
        certificate_type: 'CERTIFICATE_TYPE_RIGHTS_HISTORY',
        cadastral_number: '03-262-031-017',
        state: 'CERTIFICATE_ORDER_STATE_REJECTED',
        create_time: timestamp('2024-09-02T11:30:12+05:00'),
        update_time: timestamp('2024-09-04T10:05:00+05:00'),
        expected_ready_time: null,
        document_number: '',
        rejection_reason: 'The archive file of this parcel is being digitised; order the history again after 1 November 2024.',
      },
    });
  }

  /** The order as it stands now: an IN_PROGRESS order becomes READY at its expected ready time. */
  current(record, nowMs) {
    const { order } = record;
    if (order.state === 'CERTIFICATE_ORDER_STATE_IN_PROGRESS' && record.readyAtMs !== null && nowMs >= record.readyAtMs) {
      order.state = 'CERTIFICATE_ORDER_STATE_READY';
      order.update_time = timestampOf(record.readyAtMs);
      order.expected_ready_time = null;
      order.document_number = `ZK-${new Date(record.readyAtMs).toISOString().slice(0, 7)}-${documentSerial(order.order_id)}`;
      record.readyAtMs = null;
    }
    return structuredClone(order);
  }

  get(iin, orderId) {
    const record = this.orders.get(orderId);
    // An order of another citizen is reported exactly as a missing one.
    if (!record || record.iin !== iin) {
      return null;
    }
    return this.current(record, Date.now());
  }

  /** A response recorded under `requestId` for the gateway client `client`: {fingerprint, response}, or undefined. */
  replay(client, requestId) {
    return this.byRequestId.get(idempotencyKey(client, requestId));
  }

  create(client, requestId, fingerprint, iin, certificateType, cadastralNumber) {
    const nowMs = Date.now();
    let orderId;
    do {
      orderId = `CO-${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
    } while (this.orders.has(orderId));

    const readyAtMs = nowMs + this.readyAfterMs;
    const order = {
      order_id: orderId,
      certificate_type: certificateType,
      cadastral_number: cadastralNumber,
      state: 'CERTIFICATE_ORDER_STATE_IN_PROGRESS',
      create_time: timestampOf(nowMs),
      update_time: timestampOf(nowMs),
      expected_ready_time: timestampOf(readyAtMs),
      document_number: '',
      rejection_reason: '',
    };
    this.orders.set(orderId, { iin, order, readyAtMs });

    const response = { order: structuredClone(order) };
    this.byRequestId.set(idempotencyKey(client, requestId), { fingerprint, response });
    while (this.byRequestId.size > MAX_IDEMPOTENCY_RECORDS) {
      this.byRequestId.delete(this.byRequestId.keys().next().value);
    }
    return structuredClone(response);
  }
}

function documentSerial(orderId) {
  const n = crypto.createHash('sha256').update(orderId).digest().readUInt32BE(0) % 10000000;
  return String(n).padStart(7, '0');
}

/**
 * A request_id's scope, as the contracts define it: this service, the method (this provider has one write) and
 * the calling gateway client (metadata x-client-id; a call without it is one more client). UUIDs compare
 * without the case of their hexadecimal digits.
 */
function idempotencyKey(client, requestId) {
  return `${client}\u0000${requestId.toLowerCase()}`;
}

/** The gateway client a call is for: its x-client-id metadata, or '' when it has none. */
function clientOf(metadata) {
  const values = metadata.get('x-client-id');
  return values.length > 0 ? String(values[0]) : '';
}

/** A digest of what a write asks for, to tell a retry from a different request under the same request_id. */
function fingerprintOf(fields) {
  return crypto.createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

function createLandRegistry(orders) {
  return {
    ListParcels(request) {
      const violations = new Violations();
      const iinValid = validateIin(violations, request.iin);
      if (request.page_size < 0) {
        violations.add('page_size', 'PAGE_SIZE_NEGATIVE', 'page_size must not be negative; 0 means the default page size.');
      }
      let offset = 0;
      if (request.page_token.length > 0 && iinValid) {
        offset = readPageToken(`ListParcels\u0000${request.iin}`, request.page_token);
        if (offset === null) {
          violations.add('page_token', 'PAGE_TOKEN_INVALID',
            'page_token is not a next_page_token this provider issued for this request; start again with an empty page_token.');
        }
      }
      violations.throwIfAny();

      const pageSize = request.page_size === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.page_size, MAX_PAGE_SIZE);
      const all = parcelsOf(request.iin);
      const parcels = all.slice(offset, offset + pageSize);
      const next = offset + parcels.length;
      return {
        parcels: structuredClone(parcels),
        next_page_token: parcels.length > 0 && next < all.length ? issuePageToken(`ListParcels\u0000${request.iin}`, next) : '',
      };
    },

    GetParcel(request) {
      const violations = new Violations();
      validateCadastralNumber(violations, request.cadastral_number, { required: true });
      violations.throwIfAny();

      const parcel = PARCELS_BY_NUMBER.get(request.cadastral_number);
      if (!parcel) {
        throw notFound(PARCEL_RESOURCE, request.cadastral_number, 'No parcel with this cadastral number is registered.');
      }
      return { parcel: structuredClone(parcel) };
    },

    CreateCertificateOrder(request, metadata) {
      const violations = new Violations();
      if (request.request_id.length === 0) {
        violations.add('request_id', 'REQUEST_ID_MISSING', 'request_id is required: a new UUID for each distinct order.');
      } else if (!UUID.test(request.request_id)) {
        violations.add('request_id', 'REQUEST_ID_MALFORMED', 'request_id must be a UUID (8-4-4-4-12 hexadecimal digits).');
      }
      validateIin(violations, request.iin);

      const type = request.certificate_type;
      const forOneParcel = CERTIFICATE_TYPES_FOR_ONE_PARCEL.has(type);
      if (type === 'CERTIFICATE_TYPE_UNSPECIFIED' || type === 0) {
        violations.add('certificate_type', 'CERTIFICATE_TYPE_MISSING', 'certificate_type is required.');
      } else if (!forOneParcel && type !== COUNTRY_WIDE_CERTIFICATE_TYPE) {
        violations.add('certificate_type', 'CERTIFICATE_TYPE_UNKNOWN', 'certificate_type is not a value this contract defines.');
      }
      if (type === COUNTRY_WIDE_CERTIFICATE_TYPE) {
        if (request.cadastral_number.length > 0) {
          violations.add('cadastral_number', 'CADASTRAL_NUMBER_NOT_ALLOWED',
            'cadastral_number must be empty for CERTIFICATE_TYPE_REAL_ESTATE_OWNERSHIP, which covers the whole country.');
        }
      } else {
        validateCadastralNumber(violations, request.cadastral_number, { required: forOneParcel });
      }
      violations.throwIfAny();

      const fingerprint = fingerprintOf([request.iin, type, request.cadastral_number]);
      const client = clientOf(metadata);
      const earlier = orders.replay(client, request.request_id);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) {
          const message = 'This request_id was already used for a different order; use a new request_id for a new order.';
          throw new RpcError(grpc.status.ALREADY_EXISTS, message, [
            {
              type: 'google.rpc.ErrorInfo',
              value: { reason: 'REQUEST_ID_REUSED', domain: ERROR_DOMAIN, metadata: { request_id: request.request_id } },
            },
          ]);
        }
        return structuredClone(earlier.response);
      }

      if (forOneParcel && !parcelsOf(request.iin).some((p) => p.cadastral_number === request.cadastral_number)) {
        // Missing, or not the citizen's: the answer does not say which.
        throw notFound(PARCEL_RESOURCE, request.cadastral_number, 'The citizen holds no registered right on a parcel with this cadastral number.');
      }
      return orders.create(client, request.request_id, fingerprint, request.iin, type, request.cadastral_number);
    },

    GetCertificateOrder(request) {
      const violations = new Violations();
      validateIin(violations, request.iin);
      if (request.order_id.length === 0) {
        violations.add('order_id', 'ORDER_ID_MISSING', 'order_id is required.');
      } else if (!ORDER_ID.test(request.order_id)) {
        violations.add('order_id', 'ORDER_ID_MALFORMED', 'order_id is 1 to 64 characters of A-Z, a-z, 0-9 and \'-\'.');
      }
      violations.throwIfAny();

      const order = orders.get(request.iin, request.order_id);
      if (!order) {
        throw notFound(ORDER_RESOURCE, request.order_id, 'No certificate order with this id was placed by this citizen.');
      }
      return { order };
    },
  };
}

/** grpc-js unary handlers from plain functions ((request, metadata) -> response) that throw RpcError. */
function toHandlers(implementation, errorTypes) {
  const handlers = {};
  for (const [method, fn] of Object.entries(implementation)) {
    handlers[method] = (call, callback) => {
      let response;
      try {
        response = fn(call.request, call.metadata);
      } catch (e) {
        if (e instanceof RpcError) {
          callback(e.toServiceError(errorTypes));
        } else {
          // Our own failure: the message comes from this code, not from request data.
          process.stderr.write(`${NAME}: ${method} failed: ${e && e.stack ? e.stack : e}\n`);
          callback({ code: grpc.status.INTERNAL, details: 'The land registry provider failed to answer.' });
        }
        return;
      }
      callback(null, response);
    };
  }
  return handlers;
}

// ---------------------------------------------------------------------------------------------
// Start-up and shut-down
// ---------------------------------------------------------------------------------------------

function main() {
  const options = parseOptions(process.argv.slice(2));

  const packageDefinition = protoLoader.loadSync(CONTRACT_FILE, {
    includeDirs: [options.protosDir],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const serviceDefinition = packageDefinition[SERVICE_NAME];
  if (!serviceDefinition) {
    fail(`${CONTRACT_FILE} defines no service ${SERVICE_NAME}.`);
  }
  const errorTypes = loadErrorTypes(options.protosDir);

  const server = new grpc.Server();
  server.addService(serviceDefinition, toHandlers(createLandRegistry(new CertificateOrders(options.readyAfterMs)), errorTypes));
  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);

  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      fail(`cannot listen on ${host}:${options.port}: ${error.message}`);
    }
    process.stdout.write(`${NAME} listening on ${host}:${port}\n`);
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) {
      server.forceShutdown();
      process.exit(0);
    }
    stopping = true;
    process.stderr.write(`${NAME}: ${signal} received, shutting down\n`);
    health.setStatus('', 'NOT_SERVING');
    health.setStatus(SERVICE_NAME, 'NOT_SERVING');
    const force = setTimeout(() => {
      server.forceShutdown();
      process.exit(0);
    }, 5000);
    force.unref();
    server.tryShutdown(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main();
}

module.exports = { iinProblem, checkDigit, issuePageToken, readPageToken };
