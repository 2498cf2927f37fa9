import { describe, expect, it } from 'vitest';
import { destinationProblem } from '../../shared/policy/destination.ts';

describe('the destination policy (SMS pumping defence)', () => {
  it.each([
    ['+979123456789', 'international premium rate'],
    ['+19002345678', 'US premium rate'],
    ['+449012345678', 'UK premium rate'],
    ['+881612345678', 'Iridium satellite (MOBILE in the metadata)'],
    ['+870772112345', 'Inmarsat'],
    ['+882163456789', 'international networks (VoIP)'],
    ['+883510012345', 'international networks'],
    ['+80012345678', 'UIFN freephone'],
    ['+80812345678', 'UIFN shared cost'],
    ['+6561234567', 'a Singapore landline'],
  ])('refuses %s (%s) whatever the allowed countries', (number) => {
    expect(destinationProblem(number, '*')).toEqual(expect.any(String));
  });

  it.each(['+6591234567', '+8613800138000', '+85261234567', '+12125550123', '+447911123456'])(
    'sends to the mobile %s',
    (number) => {
      expect(destinationProblem(number, '*')).toBeUndefined();
    },
  );

  it('holds numbers to SMS_ALLOWED_COUNTRIES, naming the country', () => {
    expect(destinationProblem('+6591234567', ['SG', 'HK'])).toBeUndefined();
    expect(destinationProblem('+8613800138000', ['SG', 'HK'])).toMatch(
      /\(CN; SMS_ALLOWED_COUNTRIES\)/,
    );
    // +1 is shared by many countries: the number's own country decides.
    expect(destinationProblem('+12125550123', ['CA'])).toMatch(/\(US;/);
  });

  it('never echoes the number it refuses', () => {
    expect(destinationProblem('+979123456789', '*')).not.toContain('123456789');
  });
});
