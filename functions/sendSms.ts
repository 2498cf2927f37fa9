import { isIdempotentReplay } from '../shared/core/idempotency.ts';
import { sendSms } from '../shared/core/sendSms.ts';
import { appConfig } from '../shared/deps/config.ts';
import { idempotencyLedger } from '../shared/deps/idempotency.ts';
import { publishMetrics } from '../shared/deps/metrics.ts';
import { providerBreaker } from '../shared/deps/router.ts';
import { sendingDeps } from '../shared/deps/sending.ts';
import { apiIdempotency, replayed } from '../shared/http/idempotency.ts';
import { jsonApi } from '../shared/http/jsonApi.ts';
import { json } from '../shared/http/respond.ts';
import { logger } from '../shared/logger.ts';
import { sendSmsRequestSchema } from '../shared/schemas/sendSms.ts';
import { deadlineFromLambda } from '../shared/util/deadline.ts';

/** 500 numbers and 20 parameters fit in a few KiB; anything near this is not a real request. */
const MAX_BODY_BYTES = 64 * 1024;
/** Time kept back from the Lambda deadline to record the results and answer. */
const RESERVE_MS = 2_000;

/**
 * `POST /sms`: validate, send through the provider, record, answer `202` per recipient; with an
 * `Idempotency-Key`, at most once per key (SPEC "Idempotency").
 */
export const handler = jsonApi(
  {
    schema: sendSmsRequestSchema,
    maxBodyBytes: MAX_BODY_BYTES,
    log: logger,
    metrics: publishMetrics(),
  },
  async (request, context, event) => {
    const idempotency = apiIdempotency(event, request, context, {
      route: 'POST /sms',
      ledger: idempotencyLedger,
    });
    try {
      const result = await sendSms(
        request,
        {
          ...(await sendingDeps()),
          idempotency,
          breaker: appConfig().failover ? providerBreaker() : undefined,
        },
        deadlineFromLambda(context, RESERVE_MS),
      );
      return json(202, result);
    } catch (error) {
      // Same key, same body: the first answer again, and nothing sent.
      if (isIdempotentReplay(error)) return replayed(error.outcome, 202, logger);
      throw error;
    }
  },
);
