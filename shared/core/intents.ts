import { AppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import type { MessageRecord, MessageStore } from '../store/types.ts';
import { type Admission, type AdmissionDeps, admit, giveBackQuietly } from './admission.ts';

/** What a refused request's intents become: never sent, safe to send again. */
export const RATE_LIMITED_NOT_SENT = {
  code: 'rate_limited',
  message: 'over the recipient limit; never sent',
};
const STORE_NOT_SENT = {
  code: 'store_unavailable',
  message: 'the checks before sending failed; never sent',
};

/** The intents, recorded as never sent (the call they were written for did not happen). */
export function unsentFrom(
  intents: readonly MessageRecord[],
  error: { code: string; message: string },
): MessageRecord[] {
  return intents.map(({ phase: _phase, ...intent }) => ({ ...intent, status: 'not_sent', error }));
}

/** Records what it can; a failure is logged (the records it would replace read `unknown`). */
export async function recordQuietly(
  deps: { store: MessageStore; log: Log },
  records: readonly MessageRecord[],
): Promise<void> {
  if (records.length === 0) return;
  try {
    await deps.store.recordMessages(records);
  } catch (error) {
    deps.log.warn('records not updated', {
      reason: (error as Error).message,
      count: records.length,
    });
  }
}

/**
 * The admission checks (opt-outs, recipient limits) and the intents, written at once: one store
 * round trip before any provider call. When either fails nothing is sent: the units taken are
 * given back, written intents are turned into `not_sent`, and the error is `store_unavailable`.
 */
export async function admitAndRecordIntents(
  numbers: readonly string[],
  intents: readonly MessageRecord[],
  deps: AdmissionDeps & { store: MessageStore; log: Log },
  nowMs: number,
): Promise<Admission> {
  const [admission, recorded] = await Promise.allSettled([
    admit(numbers, deps, nowMs),
    intents.length > 0 ? deps.store.recordMessages(intents) : Promise.resolve(),
  ]);
  if (admission.status === 'rejected') {
    if (recorded.status === 'fulfilled')
      await recordQuietly(deps, unsentFrom(intents, STORE_NOT_SENT));
    throw admission.reason;
  }
  if (recorded.status === 'rejected') {
    // An idempotent request's units are shared with its duplicates (one holder), one of which
    // may be sending: kept then (an over-count for the window at worst, never a number let past
    // its limit).
    if (deps.holder === undefined) await giveBackQuietly(deps, [...admission.value.units.values()]);
    deps.log.error('intents not recorded: nothing sent', {
      reason: (recorded.reason as Error).message,
      count: intents.length,
    });
    throw new AppError(
      'store_unavailable',
      'Nothing was sent: the messages could not be recorded before sending. Try again.',
      { cause: recorded.reason },
    );
  }
  return admission.value;
}
