import { createHash } from 'node:crypto';
import { AppError, ERRORS, type ErrorCode, isAppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import type { ClaimResult, IdempotencyLedger, StoredOutcome } from '../store/idempotency.ts';

export type { StoredOutcome } from '../store/idempotency.ts';

/**
 * One request's hold on its Idempotency-Key (SPEC "Idempotency"). The use case claims it beside
 * its other checks before any provider call, then completes it with what it answered, or releases
 * it when nothing was sent (so a retry runs). Bound to one request: it remembers its claim.
 */
export interface IdempotencyGate {
  /** Who holds what this request takes (its key and body): its duplicates hold the same. */
  readonly holder: string;
  /** `planned`: the messageIds fixed before sending, to answer for them if this attempt dies. */
  claim(planned?: readonly string[]): Promise<ClaimResult>;
  complete(outcome: StoredOutcome): Promise<void>;
  release(): Promise<void>;
  /**
   * Names `planned` as the messages the key answers for (before sending them, having taken over
   * a dead attempt's claim); false when this request's claim no longer holds the key.
   */
  replan(planned: readonly string[]): Promise<boolean>;
}

/** A stored answer to give again (`Idempotent-Replayed: true`): nothing was sent this time. */
export class IdempotentReplay extends Error {
  override readonly name = 'IdempotentReplay';
  readonly outcome: StoredOutcome;
  constructor(outcome: StoredOutcome) {
    super('replayed');
    this.outcome = outcome;
  }
}

export function isIdempotentReplay(error: unknown): error is IdempotentReplay {
  return (error as { name?: unknown } | null)?.name === 'IdempotentReplay';
}

/** JSON with keys sorted: equal for bodies that differ only in key order or whitespace. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

/** The ledger's id for a key within a caller's scope (neither is stored as such). */
export function ledgerId(route: string, scope: string, key: string): string {
  return sha256(`${route}\n${scope}\n${key}`);
}

/** The fingerprint of a request: another body under the same key is a conflict. */
export function fingerprintOf(request: unknown): string {
  return sha256(canonical(request));
}

/** A gate on `ledger` for one request. */
export function idempotencyGate(
  ledger: IdempotencyLedger,
  options: { id: string; fingerprint: string; leaseUntil: number; now?: () => number },
): IdempotencyGate {
  const now = options.now ?? Date.now;
  let claim: string | undefined;
  return {
    holder: `${options.id}:${options.fingerprint}`,
    async claim(planned) {
      const result = await ledger.claim({
        id: options.id,
        fingerprint: options.fingerprint,
        leaseUntil: options.leaseUntil,
        planned,
        now: now(),
      });
      if (result.kind === 'claimed' || result.kind === 'abandoned') claim = result.claim;
      return result;
    },
    async complete(outcome) {
      if (claim) await ledger.complete(options.id, claim, outcome);
    },
    async release() {
      if (claim) await ledger.release(options.id, claim);
    },
    async replan(planned) {
      return claim ? ledger.replan(options.id, claim, planned) : false;
    },
  };
}

/** Errors after which nothing was sent: the key is released, and the same request may run again. */
const NOTHING_SENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_request',
  'template_not_available',
  'rate_limited',
  'provider_rejected',
  'provider_unavailable',
  'store_unavailable',
  'configuration_invalid',
  'secret_unavailable',
]);

/** True when the use case failed before anything could have been sent. */
export function sentNothing(error: unknown): boolean {
  return isAppError(error) && NOTHING_SENT.has(error.code);
}

/** What an error answers, as kept in the ledger. */
export function outcomeOfError(error: unknown): StoredOutcome {
  if (isAppError(error)) {
    return {
      kind: 'error',
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: error.retryAfterSeconds }
        : {}),
    };
  }
  return { kind: 'error', code: 'internal', message: 'Internal error' };
}

/** The error a stored error outcome answers again. */
export function errorOfOutcome(outcome: Extract<StoredOutcome, { kind: 'error' }>): AppError {
  const code = (Object.hasOwn(ERRORS, outcome.code) ? outcome.code : 'internal') as ErrorCode;
  return new AppError(code, outcome.message, {
    details: outcome.details as AppError['details'],
    retryAfterSeconds: outcome.retryAfterSeconds,
  });
}

/**
 * After the use case failed with `error`: an error that surely sent nothing releases the key;
 * anything else (an unknown outcome, a failure after the send) is kept as the key's answer, so a
 * retry replays it and never sends again. Ledger failures are logged: the answer stands.
 */
export async function settleAfterError(
  gate: IdempotencyGate | undefined,
  error: unknown,
  log: Log,
): Promise<void> {
  if (!gate || isIdempotentReplay(error)) return;
  const code = (error as { code?: unknown } | null)?.code;
  const idempotency = code === 'idempotency_conflict' || code === 'idempotency_in_progress';
  if (idempotency) return;
  try {
    if (sentNothing(error)) await gate.release();
    else await gate.complete(outcomeOfError(error));
  } catch (failure) {
    log.error('idempotency key not settled', { reason: (failure as Error).message });
  }
}

/**
 * The key's claim was taken over from an attempt that died while sending: `answer` (its messages'
 * outcome unknown, none sent again) becomes the key's answer, and is thrown.
 */
export async function answerForAbandoned(
  gate: IdempotencyGate,
  answer: AppError,
  log: Log,
): Promise<never> {
  await gate
    .complete(outcomeOfError(answer))
    .catch((error: unknown) =>
      log.error('idempotency key not settled', { reason: (error as Error).message }),
    );
  throw answer;
}

/**
 * The answer to a claim that did not go to this request: the first answer again, a conflict, or
 * "still running". Throws it.
 */
export function refuseClaim(
  result: Exclude<ClaimResult, { kind: 'claimed' | 'abandoned' }>,
): never {
  switch (result.kind) {
    case 'replay':
      throw new IdempotentReplay(result.outcome);
    case 'conflict':
      throw new AppError(
        'idempotency_conflict',
        'This Idempotency-Key was used with another body; use a new key for a new request',
      );
    default:
      throw new AppError(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still running; retry after it ends',
        { retryAfterSeconds: result.retryAfterSeconds },
      );
  }
}
