import { describe, expect, it } from 'vitest';
import { bodyLimit } from '../../shared/http/middleware.ts';

const check = (body: string, isBase64Encoded: boolean) => {
  const before = bodyLimit(8).before as (request: unknown) => void;
  return () => before({ event: { body, isBase64Encoded } });
};

describe('bodyLimit', () => {
  it('measures a base64 body by its decoded bytes exactly, padding excluded', () => {
    // 8 bytes of text: 12 base64 characters with padding; floor(12 * 3 / 4) = 9 would refuse it.
    const eight = Buffer.from('12345678').toString('base64');
    expect(eight.endsWith('=')).toBe(true);
    expect(check(eight, true)).not.toThrow();
    expect(check(Buffer.from('123456789').toString('base64'), true)).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
  });

  it('measures a text body in UTF-8 bytes', () => {
    expect(check('12345678', false)).not.toThrow();
    expect(check('1234567é', false)).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
  });
});
