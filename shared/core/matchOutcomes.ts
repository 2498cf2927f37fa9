import type { RecipientOutcome } from '../ports/provider.ts';

/**
 * The provider's outcomes lined up with the numbers it was given: by number, not by position, so
 * an answer in another order cannot attach a message id to the wrong recipient. A number the
 * answer does not mention (a provider bug, a short answer) is `unknown`: its request was sent, so
 * it may have been taken. `mismatched` counts those, for the log.
 */
export function matchOutcomes(
  to: readonly string[],
  outcomes: readonly RecipientOutcome[] | undefined,
): { outcomes: RecipientOutcome[]; mismatched: number } {
  const list = outcomes ?? [];
  if (list.length === to.length && list.every((outcome, k) => outcome?.to === to[k])) {
    return { outcomes: [...list], mismatched: 0 };
  }
  const byNumber = new Map<string, RecipientOutcome[]>();
  for (const outcome of list) {
    if (!outcome) continue;
    const queue = byNumber.get(outcome.to) ?? [];
    queue.push(outcome);
    byNumber.set(outcome.to, queue);
  }
  let mismatched = 0;
  const matched = to.map((number): RecipientOutcome => {
    const found = byNumber.get(number)?.shift();
    if (found) return found;
    mismatched += 1;
    return { to: number, status: 'unknown' };
  });
  return { outcomes: matched, mismatched };
}
