/**
 * The one error family of the service. Every error the code raises on purpose is an AppError with a
 * stable `code`; `shared/http/errorResponse.ts` is the one place codes become HTTP answers. Match
 * on `code` (or the `is*` guards below), never on `instanceof` or `name`: bundling can duplicate
 * classes.
 */

/** Every code: its HTTP status, and the code shown to callers when it is not the code itself. */
export const ERRORS = {
  invalid_request: { status: 400 },
  template_not_available: { status: 400 },
  unauthorized: { status: 401 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  idempotency_in_progress: { status: 409 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  idempotency_conflict: { status: 422 },
  rate_limited: { status: 429 },
  internal: { status: 500 },
  /** The deployment's settings cannot work (an environment variable, a route, the registry). */
  configuration_invalid: { status: 500, shown: 'internal' },
  /** The provider secret could not be read or is malformed. */
  secret_unavailable: { status: 500, shown: 'internal' },
  provider_rejected: { status: 502 },
  provider_unavailable: { status: 503 },
  store_unavailable: { status: 503 },
  provider_timeout: { status: 504 },
} as const satisfies Record<string, { status: number; shown?: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

/** The code callers see for a code (internal faults all read `internal`). */
export function shownCode(code: ErrorCode): string {
  const entry: { status: number; shown?: string } = ERRORS[code];
  return entry.shown ?? code;
}

/** One problem with the input: where (`to[2]`, `templateParas`) and what. */
export interface ErrorDetail {
  path: string;
  message: string;
  [extra: string]: string;
}

/** The base of the family. */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  /** Seconds after which the same request may succeed (answered as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: ErrorDetail[] | undefined;
      cause?: unknown;
      retryAfterSeconds?: number | undefined;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return statusOf(this.code);
  }
}

/** True for any member of the family, even one from a duplicated copy of this module. */
export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    Object.hasOwn(ERRORS, (error as unknown as { code: string }).code)
  );
}

/** A configuration that cannot work; the message names every bad setting. */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super('configuration_invalid', message);
  }
}

/** The secret is missing or malformed; the message names fields, never values. */
export class SecretError extends AppError {
  override readonly name = 'SecretError';
  constructor(message: string) {
    super('secret_unavailable', message);
  }
}

/** The store could not complete a read or write; the caller may retry. */
export class StoreError extends AppError {
  override readonly name = 'StoreError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('store_unavailable', message, options);
  }
}

type ProviderErrorCode =
  | 'provider_rejected'
  | 'provider_unavailable'
  | 'provider_timeout'
  | 'rate_limited';

/**
 * A provider refused or could not take a whole request. `outcome` says whether anything may have
 * been sent: `not_sent` is safe to send again, `unknown` must never be resent automatically.
 */
export class ProviderError extends AppError {
  override readonly name = 'ProviderError';
  readonly providerCode: string | undefined;
  /** The provider's own text, for logs (never shown to API callers). */
  readonly providerMessage: string | undefined;
  readonly outcome: 'not_sent' | 'unknown';
  /** An authentication failure: the credentials may have been rotated. */
  readonly authFailure: boolean;

  constructor(
    code: ProviderErrorCode,
    message: string,
    options: {
      providerCode?: string | undefined;
      providerMessage?: string | undefined;
      outcome?: 'not_sent' | 'unknown';
      authFailure?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.providerCode = options.providerCode;
    this.providerMessage = options.providerMessage;
    this.outcome = options.outcome ?? 'not_sent';
    this.authFailure = options.authFailure ?? false;
  }
}

/** True for a ProviderError, even one from a duplicated copy of this module. */
export function isProviderError(error: unknown): error is ProviderError {
  return isAppError(error) && typeof (error as { outcome?: unknown }).outcome === 'string';
}

/**
 * A request that failed without a complete answer. `requestSent` is the line between "surely not
 * sent" (safe to retry) and "may have been processed" (an unknown outcome, never retried).
 * `reason` is the low-level cause (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`, `DEADLINE_EXCEEDED`).
 */
export class TransportError extends AppError {
  override readonly name = 'TransportError';
  readonly reason: string;
  readonly requestSent: boolean;

  constructor(reason: string, requestSent: boolean, cause?: unknown) {
    super(
      requestSent ? 'provider_timeout' : 'provider_unavailable',
      `${reason}: ${requestSent ? 'failed after the request was sent' : 'failed before the request was sent'}`,
      cause === undefined ? {} : { cause },
    );
    this.reason = reason;
    this.requestSent = requestSent;
  }
}

/** True for a TransportError, even one from a duplicated copy of this module. */
export function isTransportError(error: unknown): error is TransportError {
  return (
    isAppError(error) &&
    typeof (error as { requestSent?: unknown }).requestSent === 'boolean' &&
    typeof (error as { reason?: unknown }).reason === 'string'
  );
}

/** Renders a zod-style path (`['to', 2]`) as `to[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
