import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../shared/http/issues.ts';
import { maskPhone } from '../../shared/phone.ts';
import { sendSmsRequestSchema } from '../../shared/schemas/sendSms.ts';

const problems = (input: unknown) => {
  const result = sendSmsRequestSchema.safeParse(input);
  return result.success ? [] : describeIssues(result.error.issues);
};

describe('sendSms request schema', () => {
  it('normalises a single number to a list and keeps optional fields', () => {
    expect(
      sendSmsRequestSchema.parse({ to: '+6591234567', templateId: 't', reference: 'r' }),
    ).toEqual({
      to: ['+6591234567'],
      templateId: 't',
      reference: 'r',
    });
  });

  it('accepts 500 distinct numbers and 20 parameters, the documented maxima', () => {
    const to = Array.from({ length: 500 }, (_, i) => `+6591${String(i).padStart(6, '0')}`);
    const templateParas = Array.from({ length: 20 }, (_, i) => `v${i}`);
    expect(problems({ to, templateId: 't', templateParas })).toEqual([]);
  });

  it('names the later copy of a duplicate and the first one', () => {
    expect(
      problems({ to: ['+6591234567', '+6598765432', '+6591234567'], templateId: 't' }),
    ).toEqual([{ path: 'to[2]', message: 'duplicates to[0]' }]);
  });

  it('counts lengths in UTF-16 units as the providers do, and names each limit of signature', () => {
    expect(problems({ to: '+6591234567', templateId: 't', reference: '😀'.repeat(64) })).toEqual(
      [],
    );
    expect(problems({ to: '+6591234567', templateId: 't', reference: '😀'.repeat(65) })).toEqual([
      {
        path: 'reference',
        message:
          'must have at most 128 UTF-16 code units (an emoji or other character beyond U+FFFF counts 2)',
      },
    ]);
    expect(problems({ to: '+6591234567', templateId: 't', signature: '' })).toEqual([
      { path: 'signature', message: 'must not be empty' },
    ]);
    expect(problems({ to: '+6591234567', templateId: 't', signature: 'x'.repeat(101) })).toEqual([
      { path: 'signature', message: 'must have at most 100 characters' },
    ]);
    expect(
      problems({ to: '+6591234567', templateId: 't', templateParas: ['😀'.repeat(251)] }),
    ).toEqual([
      {
        path: 'templateParas[0]',
        message:
          'must have at most 500 UTF-16 code units (an emoji or other character beyond U+FFFF counts 2)',
      },
    ]);
  });

  it('explains why numbers are refused as template parameters', () => {
    expect(
      problems({ to: ['+6591234567'], templateId: 't', templateParas: [123456] })[0]?.message,
    ).toMatch(/leading zeros/);
  });

  it('refuses control characters in template parameters (they would also break the batch body budget)', () => {
    expect(problems({ to: ['+6591234567'], templateId: 't', templateParas: ['a\u0001b'] })).toEqual(
      [{ path: 'templateParas[0]', message: 'must not contain control characters' }],
    );
  });

  it('refuses lone surrogates and invalid UTF-8 (decoded as U+FFFD), naming the field', () => {
    const bad = Buffer.from([0x63, 0x6f, 0xff, 0x64, 0x65]).toString('utf8'); // co?de
    expect(
      problems({
        to: ['+6591234567'],
        templateId: 't',
        templateParas: ['ok', '\ud800'],
        signature: bad,
        reference: `order-\udfff`,
      }).map((p) => [p.path, p.message]),
    ).toEqual([
      ['templateParas[1]', 'must be valid UTF-8 text (no invalid bytes or lone surrogates)'],
      ['signature', 'must be valid UTF-8 text (no invalid bytes or lone surrogates)'],
      ['reference', 'must be valid UTF-8 text (no invalid bytes or lone surrogates)'],
    ]);
    // A proper surrogate pair (an emoji) is fine.
    expect(
      problems({ to: ['+6591234567'], templateId: 't', templateParas: ['\ud83d\ude00'] }),
    ).toEqual([]);
  });

  it('lists every problem at once, in readable English', () => {
    const found = problems({ to: ['6591234567'], templateId: '', reference: '{x}', extra: 1 });
    expect(found.map((p) => p.path)).toEqual(['to[0]', 'templateId', 'reference', '(body)']);
    expect(found.find((p) => p.path === '(body)')?.message).toBe('unknown field: extra');
  });
});

describe('maskPhone', () => {
  it('keeps the country prefix and last four digits only', () => {
    expect(maskPhone('+6591234567')).toBe('+65****4567');
    expect(maskPhone('+8613800001234')).toBe('+86****1234');
    expect(maskPhone('+6834002')).toBe('+6****02');
    expect(maskPhone('+12')).toBe('****');
  });
});
