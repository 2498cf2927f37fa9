import type { APIGatewayProxyResult } from 'aws-lambda';
import { type AppError, ERROR_STATUS, type ErrorCode, isAppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import { json } from './respond.ts';

/** A middy `createError` (from its http middlewares): a status and a message meant for callers. */
function middyHttpStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function body(code: ErrorCode, message: string, details?: AppError['details']) {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

/**
 * The one place errors become HTTP answers (SPEC "Errors"). Caller mistakes and provider verdicts
 * are explained; anything else is a plain 500 whose detail goes to the log only.
 */
export function errorResponse(error: unknown, log: Log): APIGatewayProxyResult {
  if (isAppError(error)) {
    return json(ERROR_STATUS[error.code], body(error.code, error.message, error.details));
  }
  const status = middyHttpStatus(error);
  if (status === 415) {
    return json(415, body('unsupported_media_type', 'Content-Type must be application/json'));
  }
  if (status === 422 || status === 400) {
    return json(
      400,
      body('invalid_request', 'The body is not valid JSON', [
        { path: '(body)', message: 'must be valid JSON' },
      ]),
    );
  }
  if (status === 413) return json(413, body('payload_too_large', 'The body is too large'));
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'StoreError') {
    log.error('store unavailable', { reason: (error as Error).message });
    return json(
      503,
      body('store_unavailable', 'Storage is unavailable; nothing was lost, try again'),
    );
  }
  if (name === 'ConfigError' || name === 'SecretError') {
    log.error('service misconfigured', { reason: (error as Error).message });
    return json(500, body('internal', 'The service is misconfigured; see its logs'));
  }
  log.error('unexpected error', { error: error instanceof Error ? error : String(error) });
  return json(500, body('internal', 'Internal error'));
}
