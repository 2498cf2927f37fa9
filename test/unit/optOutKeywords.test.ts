import { describe, expect, it } from 'vitest';
import { optOutIntent } from '../../shared/optOut/keywords.ts';
import { replyNumber } from '../../shared/optOut/replyNumber.ts';

const OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'CANCEL', 'OPTOUT', 'T', 'TD', 'R'];
const IN = ['START', 'UNSTOP'];

describe('optOutIntent', () => {
  it.each(OUT)('opts out on %s in any case', (word) => {
    expect(optOutIntent(word)).toBe('out');
    expect(optOutIntent(word.toLowerCase())).toBe('out');
    expect(optOutIntent(word[0] + word.slice(1).toLowerCase())).toBe('out');
  });

  it('opts out on 退订', () => {
    expect(optOutIntent('退订')).toBe('out');
  });

  it.each(IN)('opts back in on %s in any case', (word) => {
    expect(optOutIntent(word)).toBe('in');
    expect(optOutIntent(word.toLowerCase())).toBe('in');
    expect(optOutIntent(`${word[0]}${word.slice(1).toLowerCase()}`)).toBe('in');
  });

  it.each([
    ['spaces and tabs', '  stop\t'],
    ['line breaks', '\r\nSTOP\n'],
    ['a no-break space', '\u00a0STOP\u00a0'],
    ['full-width (ideographic) spaces', '\u3000退订\u3000'],
    ['a zero-width space and a BOM', '\u200bSTOP\ufeff'],
    ['full-width letters', 'ＳＴＯＰ'],
  ])('trims %s', (_what, body) => {
    expect(optOutIntent(body)).toBe('out');
  });

  it('trims around START too', () => {
    expect(optOutIntent('\u3000 Start \n')).toBe('in');
  });

  it.each([
    'stop please',
    'please stop',
    'STOP.',
    'STOP!',
    'S T O P',
    'STOPP',
    'unstopable',
    'start now',
    'TDD',
    'RR',
    '退订了',
    '退 订',
    'yes',
    '',
    '   ',
    '\u3000',
  ])('leaves %j alone', (body) => {
    expect(optOutIntent(body)).toBeUndefined();
  });
});

describe('replyNumber', () => {
  it.each([
    ['+6591234567', '+6591234567'],
    ['6591234567', '+6591234567'],
    ['006591234567', '+6591234567'],
    [' +65 9123-4567 ', '+6591234567'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['+8613812345678', '+8613812345678'],
  ])('reads %j as %s', (from, number) => {
    expect(replyNumber(from)).toBe(number);
  });

  it.each([
    '',
    '+',
    '+0591234567',
    '0912345678',
    '+65123',
    '+6591234567891234',
    'ALPHASENDER',
    '+65abc4567',
    '1069012345+',
  ])('refuses %j', (from) => {
    expect(replyNumber(from)).toBeUndefined();
  });
});
