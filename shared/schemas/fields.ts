import * as z from 'zod/mini';
import { isE164 } from '../phone.ts';

/** Most template variables Huawei accepts. */
export const MAX_TEMPLATE_PARAS = 20;

const phoneNumber = z
  .string({ error: 'must be an E.164 number like +6591234567' })
  .check(
    z.refine(
      isE164,
      'must be a valid E.164 number like +6591234567 (+, country code, digits only)',
    ),
  );

/**
 * `to`: one E.164 number or an array of `1..max` distinct ones (a duplicate would be billed twice
 * or refused by Huawei with E200041); always an array after parsing.
 */
export function recipients(max: number, { inGroup = false } = {}) {
  return z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' ? [value] : value)),
    z.array(phoneNumber, { error: 'must be an E.164 number or an array of them' }).check(
      z.minLength(1, 'must list at least one number'),
      z.maxLength(max, `must list at most ${max} numbers`),
      z.superRefine((numbers, ctx) => {
        const first = new Map<string, number>();
        numbers.forEach((number, index) => {
          const seen = first.get(number);
          if (seen === undefined) first.set(number, index);
          else
            ctx.addIssue({
              code: 'custom',
              path: [index],
              // The issue's path names the group (messages[i].to[k]); the message cannot.
              message: inGroup
                ? `duplicates to[${seen}] of the same group`
                : `duplicates to[${seen}]`,
              input: number,
            });
        });
      }),
    ),
  );
}

const noControlCharacters = (value: string) => !/\p{Cc}/u.test(value);

/**
 * zod's length rules count code points; the providers' limits and the sandboxes count UTF-16
 * units (an emoji is two), so the stricter count is checked too: what passes here fits there.
 */
const utf16AtMost = (max: number) =>
  z.refine<string>(
    (value) => value.length <= max,
    `must have at most ${max} UTF-16 code units (an emoji or other character beyond U+FFFF counts 2)`,
  );

/**
 * Text a provider can carry as it was meant: no lone surrogate (a broken `\ud800` escape) and no
 * U+FFFD, which is what invalid UTF-8 bytes decode to. Either would reach the phone as garbage.
 */
const wellFormed = (value: string) => value.isWellFormed() && !value.includes('\uFFFD');
const WELL_FORMED = 'must be valid UTF-8 text (no invalid bytes or lone surrogates)';

const templateParam = z
  .string({ error: 'must be a string (send codes as strings: numbers lose leading zeros)' })
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(500, { error: 'must have at most 500 characters', abort: true }),
    utf16AtMost(500),
    z.refine((value) => !/['{}]/.test(value), "must not contain ', { or }"),
    z.refine(noControlCharacters, 'must not contain control characters'),
    z.refine(wellFormed, WELL_FORMED),
  );

/** The template fields `POST /sms` and every group of `POST /sms/batch` share. */
export const templateFields = {
  templateId: z
    .string({ error: 'must be a string' })
    .check(z.regex(/^[\x21-\x7e]{1,32}$/, 'must be 1-32 visible ASCII characters')),
  templateParas: z.optional(
    z
      .array(templateParam, { error: 'must be an array of strings' })
      .check(z.maxLength(MAX_TEMPLATE_PARAS, `must have at most ${MAX_TEMPLATE_PARAS} values`)),
  ),
  signature: z.optional(
    z
      .string({ error: 'must be a string' })
      .check(
        z.minLength(1, 'must not be empty'),
        z.maxLength(100, { error: 'must have at most 100 characters', abort: true }),
        utf16AtMost(100),
        z.refine(noControlCharacters, 'must not contain control characters'),
        z.refine(wellFormed, WELL_FORMED),
      ),
  ),
};

/** `reference`: the caller's correlation id, sent to the provider as `extend` (1-128, no braces). */
export const reference = z.optional(
  z.string({ error: 'must be a string' }).check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(128, { error: 'must have at most 128 characters', abort: true }),
    utf16AtMost(128),
    z.refine((value) => !/[{}]/.test(value), 'must not contain { or }'),
    z.refine(noControlCharacters, 'must not contain control characters'),
    z.refine(wellFormed, WELL_FORMED),
  ),
);
