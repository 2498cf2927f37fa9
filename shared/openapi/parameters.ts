import * as z from 'zod/mini';

/**
 * The headers and path parameters of the HTTP API (SPEC "Idempotency", "Status", the opt-outs),
 * as zod schemas for the OpenAPI document. The handlers read them from the event themselves.
 */

/** The shape `isE164` (shared/phone.ts) checks before it asks libphonenumber: `+`, 7-15 digits. */
export const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/** `Idempotency-Key` on `POST /sms` and `POST /sms/batch`: 1..255 printable ASCII characters. */
export const idempotencyKeySchema = z
  .string()
  .check(
    z.regex(/^[\x20-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters'),
    z.describe(
      'Makes the request safe to repeat: scoped to the API key and kept 24 h. The same key with ' +
        'the same body replays the first answer (status and body, with `Idempotent-Replayed: ' +
        'true`) and sends nothing; with another body it is `422 idempotency_conflict`; while the ' +
        'first request still runs, `409 idempotency_in_progress` with `Retry-After`.',
    ),
  );

/** `Idempotent-Replayed`: set on an answer replayed for a repeated `Idempotency-Key`. */
export const idempotentReplayedSchema = z
  .literal('true')
  .check(
    z.describe(
      'Present when this answer is the replay of the first answer given to the same ' +
        '`Idempotency-Key`: nothing was sent this time.',
    ),
  );

/** `Retry-After`: whole seconds. */
export const retryAfterSchema = z
  .int()
  .check(z.minimum(1), z.describe('Seconds to wait before trying the same request again.'));

/** `{messageId}` of `GET /sms/{messageId}`. */
export const messageIdParameterSchema = z
  .string()
  .check(
    z.describe(
      'A `messageId` from a `202` answer (a UUID, in any case). Anything else is `404 not_found`.',
    ),
  );

/** `{number}` of `/opt-outs/{number}`. */
export const numberParameterSchema = z
  .string()
  .check(
    z.regex(E164_SHAPE, 'must be an E.164 number'),
    z.describe(
      'An E.164 number valid for its country, URL-encoded in the path (`%2B6591234567`; a bare ' +
        '`+` works too). Anything else is `400 invalid_request` naming `number`.',
    ),
  );
