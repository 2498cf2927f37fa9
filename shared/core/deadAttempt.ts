import { AppError, type ErrorDetail } from '../errors.ts';
import type { Log } from '../logger.ts';
import type { RecipientOutcome } from '../ports/provider.ts';
import type { MessageRecord, MessageStore } from '../store/types.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import { answerForAbandoned, type IdempotencyGate, IdempotentReplay } from './idempotency.ts';
import { recordQuietly } from './intents.ts';
import { type MessageResult, toRecord, toResult } from './records.ts';

/** Reads of the dead attempt's records in flight at once (POST /sms names at most 500). */
const READS = 16;

export interface DeadAttemptContext {
  /** The request's numbers, in request order (a number is at most once in a request). */
  to: readonly string[];
  /** Positions refused before any intent (not mobile, country not allowed): never in `planned`. */
  refused: ReadonlyMap<number, RecipientOutcome>;
  templateId: string;
  reference?: string | undefined;
  gate: IdempotencyGate;
  store: MessageStore;
  log: Log;
  now: () => Date;
}

/** A record the attempt wrote after its provider call (or in place of it), not its intent. */
function settled(record: MessageRecord | undefined): record is MessageRecord {
  return record !== undefined && record.phase !== 'sending' && record.status !== 'unknown';
}

/**
 * What an attempt that died holding an Idempotency-Key recorded of its `planned` messages, in
 * that order: each one's record, or undefined where there is none or it could not be read (then
 * nothing is known of it).
 */
export function readDeadAttempt(
  planned: readonly string[],
  deps: { store: MessageStore; log: Log },
): Promise<Array<MessageRecord | undefined>> {
  return mapWithConcurrency(planned, READS, async (messageId) => {
    try {
      return (await deps.store.getMessage(messageId)).record;
    } catch (error) {
      deps.log.warn("an earlier attempt's message not read", {
        reason: (error as Error).message,
      });
      return undefined;
    }
  });
}

/**
 * True when the dead attempt surely sent none of its messages: every one is recorded `not_sent`
 * or `rejected` (refused before the call, or by the provider). Its key then answers for nothing,
 * and the request that took it over sends as its owner: there was no first send to repeat.
 */
export function sentNone(records: ReadonlyArray<MessageRecord | undefined>): boolean {
  return (
    records.length > 0 &&
    records.every(
      (record) => settled(record) && (record.status === 'not_sent' || record.status === 'rejected'),
    )
  );
}

/**
 * Answers a request whose Idempotency-Key was claimed by an attempt that died (its lease over),
 * from what that attempt recorded of its `planned` messages, and sends nothing. When every one
 * has its outcome recorded (the attempt died after writing its records, before settling the key),
 * the answer is the one it would have given, `202` with every message, replayed
 * (`Idempotent-Replayed: true`: this request sent nothing). Otherwise some message may or may not
 * have gone out: `504 provider_timeout` naming each one with what is known of it. Either answer
 * becomes the key's, so every later retry gets it again.
 */
export async function answerForDeadAttempt(
  planned: readonly string[],
  records: ReadonlyArray<MessageRecord | undefined>,
  context: DeadAttemptContext,
): Promise<never> {
  const { gate, log } = context;
  const positionOf = new Map(context.to.map((number, index) => [number, index]));
  const byPosition = new Map<number, MessageRecord>();
  for (const record of records) {
    const position = record ? positionOf.get(record.to) : undefined;
    if (record && position !== undefined) byPosition.set(position, record);
  }
  const complete =
    planned.length > 0 &&
    records.every(settled) &&
    context.to.every((_, index) => byPosition.has(index) || context.refused.has(index));

  if (!complete) {
    const details: ErrorDetail[] = planned.map((messageId, k) => {
      const record = records[k];
      const position = record ? positionOf.get(record.to) : undefined;
      return {
        path: position === undefined ? 'to' : `to[${position}]`,
        message: settled(record)
          ? `${record.status}: recorded by the earlier attempt; not sent again`
          : 'outcome unknown: an earlier attempt may have sent it; it was not resent',
        messageId,
      };
    });
    return answerForAbandoned(
      gate,
      new AppError(
        'provider_timeout',
        'An earlier attempt with this Idempotency-Key stopped while sending: its messages may have been sent, and were not sent again',
        { details },
      ),
      log,
    );
  }

  // The numbers refused before any intent get their entries as that attempt gave them (with ids
  // of their own: the attempt's were never answered); the rest are its records.
  const submittedAt = context.now().toISOString();
  // A position the attempt has a record for keeps it, whatever screening says now (the allowed
  // countries may have changed since): the record is what was done.
  const refusedRecords = [...context.refused]
    .filter(([position]) => !byPosition.has(position))
    .map(
      ([position, outcome]) =>
        [
          position,
          toRecord(outcome, {
            templateId: context.templateId,
            reference: context.reference,
            provider: 'none',
            submittedAt,
          }),
        ] as const,
    );
  await recordQuietly(
    context,
    refusedRecords.map(([, record]) => record),
  );
  for (const [position, record] of refusedRecords) byPosition.set(position, record);
  const body: { messages: MessageResult[] } = {
    messages: context.to.map((_, index) => toResult(byPosition.get(index) as MessageRecord)),
  };
  const outcome = { kind: 'ok' as const, body };
  await gate
    .complete(outcome)
    .catch((error: unknown) =>
      log.error('idempotency key not settled', { reason: (error as Error).message }),
    );
  log.info("answered for an earlier attempt's messages", { messages: planned.length });
  throw new IdempotentReplay(outcome);
}
