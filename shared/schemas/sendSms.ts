import * as z from 'zod/mini';
import { recipients, reference, templateFields } from './fields.ts';

/** Most recipients in one `POST /sms` (Huawei fails a whole request beyond 500). */
export const MAX_RECIPIENTS = 500;

/** Body of `POST /sms` (SPEC "Sending"); unknown fields are refused so typos surface. */
export const sendSmsRequestSchema = z.strictObject({
  to: recipients(MAX_RECIPIENTS),
  ...templateFields,
  reference,
});

export type SendSmsRequest = z.output<typeof sendSmsRequestSchema>;
