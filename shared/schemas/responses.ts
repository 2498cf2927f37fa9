import * as z from 'zod/mini';

/**
 * The bodies the HTTP API answers with (SPEC "Sending", "Batch", "Status", "Errors" and the
 * opt-outs), as zod schemas: the OpenAPI document (shared/openapi/) is generated from them and from
 * the request schemas beside this file. The handlers build these bodies from their own types; the
 * schemas are strict, so a field a handler starts answering with is refused by the document until
 * it is described here (test/integration/openapi.test.ts checks real answers against it).
 */

const messageId = z
  .uuid()
  .check(z.describe('Stable id of the message; read it with `GET /sms/{messageId}`.'));

const recipient = z
  .string()
  .check(z.describe('The recipient, an E.164 number as it was given in the request.'));

/** A provider's (or the service's) reason for one recipient: `E200041`, `rate_limited`, … */
const reason = z.strictObject({
  code: z
    .string()
    .check(
      z.describe(
        "The provider's code (`E200041`, `isv.MOBILE_NUMBER_ILLEGAL`) or the service's " +
          '(`rate_limited`, `opted_out`, `destination_not_allowed`, `deadline`).',
      ),
    ),
  message: z.string(),
});

/** The status vocabulary (SPEC "Status"), and `not_sent` for a message never sent. */
export const messageStatusSchema = z
  .enum(['accepted', 'delivered', 'failed', 'expired', 'rejected', 'unknown', 'not_sent'])
  .check(
    z.describe(
      '`accepted`: the provider took it; `delivered`, `failed`, `expired`: final reports; ' +
        '`rejected`: refused at submit; `unknown`: the provider may or may not have taken it ' +
        '(never resent automatically); `not_sent`: never sent, safe to send again.',
    ),
  );

/** One recipient of a `202` answer, in request order. */
export const messageResultSchema = z
  .discriminatedUnion('status', [
    z.strictObject({ messageId, to: recipient, status: z.enum(['accepted', 'unknown']) }),
    z.strictObject({ messageId, to: recipient, status: z.literal('rejected'), error: reason }),
    z.strictObject({
      messageId,
      to: recipient,
      status: z.literal('not_sent'),
      error: z.optional(reason),
    }),
  ])
  .check(z.describe('What was done for one recipient.'));

/** `202` of `POST /sms`. */
export const sendSmsResponseSchema = z.strictObject({
  messages: z
    .array(messageResultSchema)
    .check(z.describe('One entry per recipient, in request order.')),
});

const count = z.int().check(z.minimum(0));

/** `202` of `POST /sms/batch`. */
export const sendBatchResponseSchema = z.strictObject({
  groups: z
    .array(
      z.strictObject({
        templateId: z.string(),
        messages: z
          .array(messageResultSchema)
          .check(z.describe("One entry per recipient of the group's `to`, in request order.")),
      }),
    )
    .check(z.describe('One entry per group of the request, in request order.')),
  counts: z
    .strictObject({ accepted: count, rejected: count, unknown: count, not_sent: count })
    .check(z.describe('Recipients by status, all groups together.')),
  notRecorded: z.optional(
    z
      .array(messageId)
      .check(
        z.describe(
          'Present only when the store failed: the messages (sent or not) that have no record ' +
            'and cannot be read by id. Do not resend them.',
        ),
      ),
  ),
});

const timestamp = z.iso.datetime();

/** One distinct event of a message: the submission, then each distinct report. */
export const historyEntrySchema = z.strictObject({
  status: messageStatusSchema,
  providerStatus: z.optional(
    z.string().check(z.describe("The provider's own status or code (`DELIVRD`, `E200041`).")),
  ),
  at: timestamp.check(
    z.describe("The provider's time when it gave a sane one, else the time it was received."),
  ),
  part: z.optional(
    z.int().check(z.minimum(1), z.describe('Set for a report about one part of a long SMS.')),
  ),
  description: z.optional(z.string()),
});

/** `200` of `GET /sms/{messageId}`. */
export const messageViewSchema = z.strictObject({
  messageId,
  to: z.string(),
  templateId: z.string(),
  reference: z.optional(z.string()),
  provider: z
    .string()
    .check(z.describe('`huawei` or `alibaba`; `none` for a recipient refused before sending.')),
  providerMessageId: z.optional(
    z
      .string()
      .check(z.describe("Huawei's `smsMsgId`, or Alibaba's `BizId` (2017-05-25) or `MessageId`.")),
  ),
  status: messageStatusSchema,
  providerStatus: z.optional(z.string()),
  acceptedAt: z.optional(timestamp),
  updatedAt: timestamp.check(
    z.describe(
      "The time of the message's latest event: its last report's (the provider's time where it gives a sane one, else when it arrived), else its submission.",
    ),
  ),
  parts: z.optional(
    z
      .strictObject({ total: z.int().check(z.minimum(1)), delivered: count })
      .check(z.describe('Parts of the SMS, and how many of them are delivered.')),
  ),
  error: z.optional(reason.check(z.describe('Why the message was rejected or not sent.'))),
  history: z
    .array(historyEntrySchema)
    .check(z.describe('In time order; duplicates of a report never add an entry.')),
});

/** `200` of `GET` and `PUT /opt-outs/{number}`. */
export const optOutSchema = z.strictObject({
  number: z.string(),
  optedOut: z.literal(true),
  since: timestamp.check(z.describe('When the number was first opted out.')),
  source: z
    .string()
    .check(z.describe('`api` (`PUT /opt-outs/{number}`) or `reply:<provider>` (a STOP reply).')),
});

/** One problem with the input (`to[2]`, `templateParas`), sometimes with more string fields. */
export const errorDetailSchema = z.catchall(
  z.strictObject({
    path: z.string().check(z.describe('Where: `to[2]`, `messages[0].templateParas`, `(body)`.')),
    message: z.string(),
  }),
  z.string().check(z.describe('More about the problem, e.g. `code` or `messageId`.')),
);

/**
 * Every error (SPEC "Errors"): `{"error": {"code", "message", "details"?}}`; `codes` narrows
 * `code` to the ones an answer can carry.
 */
export function errorResponseSchema(codes?: readonly [string, ...string[]]) {
  return z.strictObject({
    error: z.strictObject({
      code: codes ? z.enum(codes) : z.string(),
      message: z.string(),
      details: z.optional(z.array(errorDetailSchema)),
    }),
  });
}

/** API Gateway's own answer (a missing or wrong API key, its usage plan's throttle). */
export const gatewayErrorSchema = z.strictObject({ message: z.string() });

export type SendSmsResponse = z.output<typeof sendSmsResponseSchema>;
export type SendBatchResponse = z.output<typeof sendBatchResponseSchema>;
export type MessageViewResponse = z.output<typeof messageViewSchema>;
export type OptOutResponse = z.output<typeof optOutSchema>;
export type ErrorResponse = z.output<ReturnType<typeof errorResponseSchema>>;
