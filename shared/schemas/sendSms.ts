import * as z from 'zod/mini';
import { isE164 } from '../phone.ts';

/** Most recipients in one `POST /sms` (Huawei fails a whole request beyond 500). */
export const MAX_RECIPIENTS = 500;
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

const recipients = z
  .array(phoneNumber, { error: 'must be an E.164 number or an array of them' })
  .check(
    z.minLength(1, 'must list at least one number'),
    z.maxLength(MAX_RECIPIENTS, `must list at most ${MAX_RECIPIENTS} numbers`),
    z.superRefine((numbers, ctx) => {
      const first = new Map<string, number>();
      numbers.forEach((number, index) => {
        const seen = first.get(number);
        if (seen === undefined) first.set(number, index);
        else
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `duplicates to[${seen}]`,
            input: number,
          });
      });
    }),
  );

/** `to`: one number, or an array of 1..500 distinct numbers; always an array after parsing. */
const to = z.pipe(
  z.transform((value: unknown) => (typeof value === 'string' ? [value] : value)),
  recipients,
);

const templateParam = z
  .string({ error: 'must be a string (send codes as strings: numbers lose leading zeros)' })
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(500, 'must have at most 500 characters'),
    z.refine((value) => !/['{}]/.test(value), "must not contain ', { or }"),
  );

const noControlCharacters = (value: string) => !/\p{Cc}/u.test(value);

/** Body of `POST /sms` (SPEC "Sending"); unknown fields are refused so typos surface. */
export const sendSmsRequestSchema = z.strictObject({
  to,
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
        z.minLength(1),
        z.maxLength(100),
        z.refine(noControlCharacters, 'must not contain control characters'),
      ),
  ),
  reference: z.optional(
    z.string({ error: 'must be a string' }).check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(128, 'must have at most 128 characters'),
      z.refine((value) => !/[{}]/.test(value), 'must not contain { or }'),
      z.refine(noControlCharacters, 'must not contain control characters'),
    ),
  ),
});

export type SendSmsRequest = z.output<typeof sendSmsRequestSchema>;
