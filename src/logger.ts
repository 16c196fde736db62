// pino with personal and enterprise identifiers kept out of the log, in three layers:
// 1. known keys are censored outright (REDACTED_KEYS: identifiers, accounts, tokens, passwords, cookies);
// 2. every string of a logged object, the message and an error's message and stack are masked by
//    pattern: an 18-character 公民身份号码 or 统一社会信用代码 keeps its first six and last four
//    characters, a run of 12 to 19 digits (a bank account) its last four;
// 3. requests are logged as method, masked URL and id only: no headers (so no Authorization or Cookie),
//    no query string in clear, no body.
// Masking by pattern is the net under the first layer, not a licence to log identifiers: code still
// masks what it logs (maskUscc, maskIdNumber) or logs a person key, which is a pseudonym.
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACTED_KEYS = [
  'uscc',
  'subjectKey',
  'idNumber',
  'id_number',
  'account',
  'accountNumber',
  'account_number',
  'idEnc',
  'accountEnc',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'authorization',
  'cookie',
  'password',
  'secret',
];

const HEADER_PATHS = ['headers.authorization', 'headers.cookie', 'headers["set-cookie"]', '*.headers.authorization', '*.headers.cookie', '*.headers["set-cookie"]'];

// An 18-character identifier: 17 digits and a check character (公民身份号码), or the USCC alphabet
// (GB 32100: digits and capitals without I, O, S, V, Z). Not inside a longer word.
const EIGHTEEN = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])/g;
// A bank account: 12 to 19 digits, possibly grouped by single spaces or hyphens (6222 0201 …).
const ACCOUNT = /(?<![0-9A-Za-z])\d{4}(?:[ -]?\d){8,15}(?![0-9A-Za-z])/g;

/** Masks identity numbers, USCCs and account numbers anywhere in a text. */
function maskIdentifiers(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text
    .replace(EIGHTEEN, (id) => `${id.slice(0, 6)}********${id.slice(14)}`)
    .replace(ACCOUNT, (account) => {
      const digits = account.replace(/[ -]/g, '');
      return `${'*'.repeat(Math.min(digits.length - 4, 12))}${digits.slice(-4)}`;
    });
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/** Masks every string in a plain object tree; other objects are left to the serializers. */
function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskIdentifiers(value);
  if (value === null || typeof value !== 'object' || depth > 8 || !isPlain(value)) return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = maskDeep(item, depth + 1);
  return out;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  id?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** A request as logged: no headers, the URL masked (path and query). */
function requestSerializer(req: LoggedRequest) {
  return { method: req.method, url: maskIdentifiers(String(req.url ?? '')), id: req.id, remoteAddress: req.ip ?? req.socket?.remoteAddress };
}

function responseSerializer(res: { statusCode?: number }) {
  return { statusCode: res.statusCode };
}

/** pino's error serializer, its message, stack and any carried detail masked (its result is not a plain object). */
function errorSerializer(error: Error) {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in serialized) out[key] = maskDeep(serialized[key], 1);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat(HEADER_PATHS);
  return pino(
    {
      level,
      redact: { paths, censor: '[redacted]' },
      base: undefined,
      serializers: { req: requestSerializer, res: responseSerializer, err: errorSerializer, error: errorSerializer },
      formatters: { log: (object) => maskDeep(object, 0) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskIdentifiers(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
