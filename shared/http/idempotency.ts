import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  errorOfOutcome,
  fingerprintOf,
  type IdempotencyGate,
  idempotencyGate,
  ledgerId,
  type StoredOutcome,
} from '../core/idempotency.ts';
import { AppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import type { IdempotencyLedger } from '../store/idempotency.ts';
import { errorResponse } from './errorResponse.ts';
import { json } from './respond.ts';

/** SPEC "Idempotency": 1..255 printable ASCII characters. */
const KEY = /^[\x20-\x7e]{1,255}$/;
export const REPLAYED_HEADER = 'idempotent-replayed';

/** An `Idempotency-Key` or an `idempotencyKey` as SPEC allows it; `invalid_request` otherwise. */
export function checkIdempotencyKey(value: unknown, path: string): string {
  if (typeof value === 'string' && KEY.test(value)) return value;
  throw new AppError('invalid_request', 'The idempotency key is invalid', {
    details: [{ path, message: 'must be 1 to 255 printable ASCII characters' }],
  });
}

/**
 * Whose key it is: the API key API Gateway authenticated (its id; the key itself when offline
 * gives no id). Hashed: the ledger never holds a credential.
 */
function callerScope(event: APIGatewayProxyEvent): string {
  const id = event.requestContext?.identity?.apiKeyId;
  const key = event.headers?.['x-api-key'];
  const scope = id ? `id:${id}` : key ? `key:${key}` : 'none';
  return createHash('sha256').update(scope, 'utf8').digest('base64url');
}

/**
 * The gate of an API request's `Idempotency-Key` (headers are lower-cased by the time this runs),
 * or undefined without one. Its claim lasts as long as this invocation may run.
 */
export function apiIdempotency(
  event: APIGatewayProxyEvent,
  request: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  options: { route: string; ledger: () => IdempotencyLedger },
): IdempotencyGate | undefined {
  const header = event.headers?.['idempotency-key'];
  if (header === undefined) return undefined;
  const key = checkIdempotencyKey(header, 'headers.Idempotency-Key');
  return idempotencyGate(options.ledger(), {
    id: ledgerId(options.route, callerScope(event), key),
    fingerprint: fingerprintOf(request),
    leaseUntil: Date.now() + context.getRemainingTimeInMillis(),
  });
}

/** The first answer again, marked `Idempotent-Replayed: true`. */
export function replayed(
  outcome: StoredOutcome,
  okStatus: number,
  log: Log,
): APIGatewayProxyResult {
  const answer =
    outcome.kind === 'ok'
      ? json(okStatus, outcome.body)
      : errorResponse(errorOfOutcome(outcome), log);
  answer.headers = { ...answer.headers, [REPLAYED_HEADER]: 'true' };
  return answer;
}
