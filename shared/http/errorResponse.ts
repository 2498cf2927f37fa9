import type { APIGatewayProxyResult } from 'aws-lambda';
import { type AppError, isAppError, shownCode, statusOf } from '../errors.ts';
import type { Log } from '../logger.ts';
import { json } from './respond.ts';

/** A middy `createError` (from its http middlewares): a status and a message meant for callers. */
function middyHttpStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function body(code: string, message: string, details?: AppError['details']) {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

/** Faults of the service itself: logged in full, answered with a message that gives nothing away. */
const INTERNAL_MESSAGES: Partial<Record<AppError['code'], string>> = {
  configuration_invalid: 'The service is misconfigured; see its logs',
  secret_unavailable: 'The service is misconfigured; see its logs',
  store_unavailable: 'Storage is unavailable; nothing was lost, try again',
};

/**
 * The one place errors become HTTP answers (SPEC "Errors"), by `code`. Caller mistakes and
 * provider verdicts are explained; faults of the service are answered plainly and logged; anything
 * else is a plain 500 whose detail goes to the log only.
 */
export function errorResponse(error: unknown, log: Log): APIGatewayProxyResult {
  if (isAppError(error)) {
    const internal = INTERNAL_MESSAGES[error.code];
    if (internal) {
      log.error(
        error.code === 'store_unavailable' ? 'store unavailable' : 'service misconfigured',
        {
          code: error.code,
          reason: error.message,
        },
      );
      return json(statusOf(error.code), body(shownCode(error.code), internal));
    }
    const answer = json(
      statusOf(error.code),
      body(shownCode(error.code), error.message, error.details),
    );
    if (error.retryAfterSeconds !== undefined) {
      answer.headers = {
        ...answer.headers,
        'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))),
      };
    }
    return answer;
  }
  const status = middyHttpStatus(error);
  if (status === 415) {
    return json(415, body('unsupported_media_type', 'Content-Type must be application/json'));
  }
  // middy refuses `__proto__` (and a `constructor` with a `prototype`) as a key: valid JSON,
  // but a prototype-pollution attempt, so it is named as such.
  if (status === 422 && (error as { message?: unknown }).message === 'Forbidden key in JSON body') {
    const key = (error as { cause?: { data?: unknown } }).cause?.data;
    return json(
      400,
      body('invalid_request', 'The body uses a key that is not allowed', [
        {
          path: '(body)',
          message: `the key ${JSON.stringify(typeof key === 'string' ? key : '__proto__')} is not allowed`,
        },
      ]),
    );
  }
  if (status === 422 || status === 400) {
    // Valid JSON too deep to walk (middy's prototype guard recurses): say so, not "invalid".
    const reason = (error as { cause?: { message?: unknown } }).cause?.message;
    if (typeof reason === 'string' && reason.includes('Maximum call stack size exceeded')) {
      return json(
        400,
        body('invalid_request', 'The body is nested too deeply', [
          { path: '(body)', message: 'must not nest arrays and objects thousands of levels deep' },
        ]),
      );
    }
    return json(
      400,
      body('invalid_request', 'The body is not valid JSON', [
        { path: '(body)', message: 'must be valid JSON' },
      ]),
    );
  }
  if (status === 413) return json(413, body('payload_too_large', 'The body is too large'));
  log.error('unexpected error', { error: error instanceof Error ? error : String(error) });
  return json(500, body('internal', 'Internal error'));
}
