import { describe, expect, it } from 'vitest';
import { matchOutcomes } from '../../shared/core/matchOutcomes.ts';
import type { RecipientOutcome } from '../../shared/ports/provider.ts';

const accepted = (to: string): RecipientOutcome => ({
  to,
  status: 'accepted',
  providerMessageId: `id-${to}`,
});

describe('matchOutcomes', () => {
  it('keeps an answer that lines up with the numbers as it is', () => {
    const outcomes = [accepted('+6591234567'), accepted('+6598765432')];
    expect(matchOutcomes(['+6591234567', '+6598765432'], outcomes)).toEqual({
      outcomes,
      mismatched: 0,
    });
  });

  it('matches an answer in another order by number, never attaching an id to the wrong recipient', () => {
    const { outcomes } = matchOutcomes(
      ['+6591234567', '+6598765432'],
      [accepted('+6598765432'), accepted('+6591234567')],
    );
    expect(outcomes.map((o) => [o.to, o.status === 'accepted' && o.providerMessageId])).toEqual([
      ['+6591234567', 'id-+6591234567'],
      ['+6598765432', 'id-+6598765432'],
    ]);
  });

  it('makes a number the answer does not mention unknown (its request was sent), and counts it', () => {
    expect(matchOutcomes(['+6591234567', '+6598765432'], [accepted('+6598765432')])).toEqual({
      outcomes: [{ to: '+6591234567', status: 'unknown' }, accepted('+6598765432')],
      mismatched: 1,
    });
    expect(matchOutcomes(['+6591234567'], undefined).outcomes).toEqual([
      { to: '+6591234567', status: 'unknown' },
    ]);
  });

  it('ignores outcomes for numbers that were not sent', () => {
    expect(
      matchOutcomes(['+6591234567'], [accepted('+6500000000'), accepted('+6591234567')]),
    ).toEqual({
      outcomes: [accepted('+6591234567')],
      mismatched: 0,
    });
  });
});
