import { describe, expect, it } from 'vitest';
import { maskNumbersIn } from '../../shared/phone.ts';
import { findLeaks } from '../helpers/logScan.ts';

describe('maskNumbersIn (caller text in logs)', () => {
  it('hides a number a caller put in a templateId or reference, keeping ids readable', () => {
    expect(maskNumbersIn('order-+6591234567')).toBe('order-****4567');
    expect(maskNumbersIn('call 6591234567 back')).toBe('call ****4567 back');
    expect(maskNumbersIn('8ff55eac1d0b478ab3c06c3c6a492300')).toBe(
      '8ff55eac1d0b478ab3c06c3c6a492300',
    );
    expect(maskNumbersIn('reminders-2026-11-22')).toBe('reminders-2026-11-22');
    expect(maskNumbersIn(undefined)).toBeUndefined();
  });

  it('leaves nothing the log scan would call a whole number', () => {
    const line = JSON.stringify({ templateId: maskNumbersIn('+8613800138000') });
    expect(findLeaks(line, [])).toEqual([]);
  });
});
