import * as z from 'zod/mini';
import { recipients, reference, templateFields } from './fields.ts';

/** Most recipients in one batch call, all groups together (SPEC "Batch"). */
export const MAX_BATCH_RECIPIENTS = 10_000;
/** Most groups in one call: one group per recipient at worst, and then some sanity. */
export const MAX_BATCH_GROUPS = 1_000;

/** One group: a template with its parameters, to up to 10,000 numbers (split into chunks of 500). */
const group = z.strictObject({
  to: recipients(MAX_BATCH_RECIPIENTS, { inGroup: true }),
  ...templateFields,
});

/** Body of `POST /sms/batch`, and the input of a scheduled reminder. */
export const sendBatchRequestSchema = z
  .strictObject({
    messages: z
      .array(group, { error: 'must be an array of message groups' })
      .check(
        z.minLength(1, 'must hold at least one group'),
        z.maxLength(MAX_BATCH_GROUPS, `must hold at most ${MAX_BATCH_GROUPS} groups`),
      ),
    reference,
  })
  .check(
    z.refine(
      (body) => body.messages.reduce((sum, g) => sum + g.to.length, 0) <= MAX_BATCH_RECIPIENTS,
      {
        message: `must address at most ${MAX_BATCH_RECIPIENTS} recipients in all`,
        path: ['messages'],
      },
    ),
  );

export type SendBatchRequest = z.output<typeof sendBatchRequestSchema>;
export type BatchGroup = SendBatchRequest['messages'][number];
