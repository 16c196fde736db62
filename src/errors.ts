// One catalogue of typed errors. Codes are stable (clients and tests match on them); messages say
// what went wrong and what to do next.

export const ErrorCodes = {
  CONFIG_INVALID: { status: 500 },
  TEST_DATABASE_MISSING: { status: 500 },
  DATA_DIR_LOCKED: { status: 500 },
  POLICY_FILE_INVALID: { status: 422 },
  POLICY_LINT_FAILED: { status: 422 },
  FACT_INVALID: { status: 422 },
  FEED_UNKNOWN: { status: 404 },
  FEED_HEADER_INVALID: { status: 422 },
  FEED_UNKNOWN_COLUMN: { status: 422 },
  FEED_UNREADABLE: { status: 422 },
  POLICY_NOT_FOUND: { status: 404 },
  SNAPSHOT_NOT_FOUND: { status: 404 },
  RUN_NOT_FOUND: { status: 404 },
  RUN_NOTHING_TO_MATCH: { status: 422 },
  RUN_NOT_READY: { status: 409 },
  BATCH_NOT_FOUND: { status: 404 },
  BATCH_EMPTY: { status: 409 },
  BATCH_STATE_INVALID: { status: 409 },
  SELF_APPROVAL_FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  BAD_REQUEST: { status: 400 },
  UNAUTHENTICATED: { status: 401 },
  FORBIDDEN: { status: 403 },
  AUDIT_CHAIN_BROKEN: { status: 500 },
  IDENTIFIER_INVALID: { status: 422 },
  BANK_CHANNEL_FAILED: { status: 502 },
} as const satisfies Record<string, { status: number }>;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.details = details;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
