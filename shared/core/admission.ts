import type { Log } from '../logger.ts';
import type { RecipientOutcome } from '../ports/provider.ts';
import type { RecipientCounters, TakenUnit } from '../store/recipientCounters.ts';

/** The stores admission asks: opt-outs and per-recipient counters, each optional. */
export interface AdmissionDeps {
  optOuts?: { optedOut(numbers: readonly string[]): Promise<Set<string>> } | undefined;
  counters?: RecipientCounters | undefined;
  /**
   * Who takes the units (an idempotent request's key and body): its duplicates and replays take
   * the same ones, so they count once. A fresh holder per call when absent.
   */
  holder?: string | undefined;
  log: Log;
}

/** Who of a list may be sent to now, and what the others are answered. */
export interface Admission {
  /** Indexes (in the list) that may be sent to. */
  admitted: number[];
  /** Refused indexes: opted out, or over the per-recipient limit. Never given to a provider. */
  refused: Map<number, RecipientOutcome>;
  /** Every index was over the limit: seconds until the last of them may be sent again. */
  allOverForSeconds: number | undefined;
  /** Units taken for admitted indexes, to give back for a message that surely was not sent. */
  units: Map<number, TakenUnit>;
}

const rejected = (to: string, code: string, message: string): RecipientOutcome => ({
  to,
  status: 'rejected',
  error: { code, message },
});

/**
 * The checks before any provider call (SPEC "Abuse controls"), in one store round trip: the
 * opt-out lookup and the counter increments run at once. An opted-out number is `opted_out`, one
 * over its limit `rate_limited`; a unit taken for an opted-out number is given back. A store
 * failure throws `store_unavailable`: nothing has been sent.
 */
export async function admit(
  numbers: readonly string[],
  deps: AdmissionDeps,
  nowMs: number,
): Promise<Admission> {
  const empty: Admission = {
    admitted: [],
    refused: new Map(),
    allOverForSeconds: undefined,
    units: new Map(),
  };
  if (numbers.length === 0) return empty;
  const [optedOut, taken] = await Promise.all([
    deps.optOuts
      ? deps.optOuts.optedOut([...new Set(numbers)])
      : Promise.resolve(new Set<string>()),
    deps.counters ? deps.counters.take(numbers, nowMs, deps.holder) : Promise.resolve(undefined),
  ]);
  const admission: Admission = { ...empty, refused: new Map(), units: new Map() };
  const giveBack: TakenUnit[] = [];
  let over = 0;
  let longest = 0;
  numbers.forEach((number, index) => {
    const result = taken?.results[index];
    if (optedOut.has(number)) {
      // Only a unit this call took: one held before is an earlier attempt's, which may have sent.
      if (result && 'unit' in result && result.unit.fresh) giveBack.push(result.unit);
      admission.refused.set(
        index,
        rejected(number, 'opted_out', 'the recipient opted out of messages'),
      );
      return;
    }
    if (result && 'overForSeconds' in result) {
      over += 1;
      longest = Math.max(longest, result.overForSeconds);
      admission.refused.set(
        index,
        rejected(
          number,
          'rate_limited',
          `too many messages to this number; try again in ${result.overForSeconds} s`,
        ),
      );
      return;
    }
    admission.admitted.push(index);
    if (result && 'unit' in result) admission.units.set(index, result.unit);
  });
  if (over === numbers.length) admission.allOverForSeconds = longest;
  if (giveBack.length > 0) await giveBackQuietly(deps, giveBack);
  return admission;
}

/**
 * Gives back the units of messages that surely were not sent. A failure only over-counts a number
 * for the rest of its window, so it is logged, never raised over an answer already decided.
 */
export async function giveBackQuietly(
  deps: AdmissionDeps,
  units: readonly TakenUnit[],
): Promise<void> {
  if (!deps.counters || units.length === 0) return;
  try {
    await deps.counters.giveBack(units);
  } catch (error) {
    deps.log.warn('recipient limit units not given back', {
      count: units.length,
      reason: (error as Error).message,
    });
  }
}

/** The units to give back: those of recipients whose message surely never reached a provider. */
export function unsentUnits(
  outcomes: ReadonlyArray<{ index: number; outcome: RecipientOutcome }>,
  units: ReadonlyMap<number, TakenUnit>,
): TakenUnit[] {
  return outcomes.flatMap(({ index, outcome }) => {
    const unit = units.get(index);
    return unit && (outcome.status === 'not_sent' || outcome.status === 'rejected') ? [unit] : [];
  });
}
