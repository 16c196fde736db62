// pino with personal and enterprise identifiers redacted. Anything that may carry an identifier is
// either masked before it is logged (maskUscc, maskIdNumber) or listed here so pino censors it.
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACTED_KEYS = ['uscc', 'subjectKey', 'idNumber', 'account', 'accountNumber', 'token', 'authorization', 'password'];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat(['req.headers.authorization']);
  return pino({ level, redact: { paths, censor: '[redacted]' }, base: undefined }, destination);
}
