import { describe, expect, it } from 'vitest';
import { parseRecipientLimit, windowOf } from '../../shared/policy/recipientLimit.ts';

describe('SMS_RECIPIENT_LIMIT', () => {
  it.each([
    ['10/1h', { count: 10, windowSeconds: 3_600 }],
    ['5/30m', { count: 5, windowSeconds: 1_800 }],
    ['100/1d', { count: 100, windowSeconds: 86_400 }],
    ['3/90', { count: 3, windowSeconds: 90 }],
    [' 3 / 90s ', { count: 3, windowSeconds: 90 }],
  ])('reads %j', (value, expected) => {
    expect(parseRecipientLimit(value)).toEqual(expected);
  });

  it('reads off as no limit', () => {
    expect(parseRecipientLimit('off')).toBeUndefined();
  });

  it.each(['10', '0/1h', '10/0', '10/1w', 'ten/1h', '10/32d', ''])(
    'refuses %j as a configuration error',
    (value) => {
      expect(() => parseRecipientLimit(value)).toThrow(
        expect.objectContaining({ code: 'configuration_invalid' }),
      );
    },
  );

  it('puts a moment in its fixed window and says how long is left', () => {
    const limit = { count: 10, windowSeconds: 3_600 };
    expect(windowOf(limit, Date.UTC(2026, 11, 1, 10, 15, 0))).toEqual({
      start: Date.UTC(2026, 11, 1, 10, 0, 0) / 1000,
      leftSeconds: 2_700,
    });
  });
});
