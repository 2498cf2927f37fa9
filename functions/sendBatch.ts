import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  fingerprintOf,
  type IdempotencyGate,
  idempotencyGate,
  isIdempotentReplay,
  ledgerId,
  sentNothing,
} from '../shared/core/idempotency.ts';
import { type BatchResult, sendBatch } from '../shared/core/sendBatch.ts';
import { appConfig } from '../shared/deps/config.ts';
import { idempotencyLedger } from '../shared/deps/idempotency.ts';
import { publishMetrics } from '../shared/deps/metrics.ts';
import { sendingDeps } from '../shared/deps/sending.ts';
import { apiIdempotency, checkIdempotencyKey, replayed } from '../shared/http/idempotency.ts';
import { describeIssues } from '../shared/http/issues.ts';
import { jsonApi } from '../shared/http/jsonApi.ts';
import { json } from '../shared/http/respond.ts';
import { logContext } from '../shared/logContext.ts';
import { logger } from '../shared/logger.ts';
import { maskNumbersIn, maskPhone } from '../shared/phone.ts';
import { type SendBatchRequest, sendBatchRequestSchema } from '../shared/schemas/sendBatch.ts';
import { deadlineFromLambda } from '../shared/util/deadline.ts';

/** 10,000 numbers and their groups fit in well under 1 MiB. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Kept back from the Lambda deadline to record the last results and answer. */
const RESERVE_MS = 3_000;
/** Kept back to settle the idempotency key and answer: records still unwritten are named. */
const ANSWER_MS = 1_500;
/** Kept back to answer: a key still unsettled by then is left to its lease. */
const SETTLE_MS = 300;

async function run(
  request: SendBatchRequest,
  context: Context,
  idempotency: IdempotencyGate | undefined,
): Promise<BatchResult> {
  return sendBatch(
    request,
    { ...(await sendingDeps()), concurrency: appConfig().batchConcurrency, idempotency },
    deadlineFromLambda(context, RESERVE_MS),
    deadlineFromLambda(context, ANSWER_MS),
    deadlineFromLambda(context, SETTLE_MS),
  );
}

/** The `202` body of a batch. */
function answerOf({ groups, counts, notRecorded }: BatchResult) {
  return { groups, counts, ...(notRecorded.length > 0 ? { notRecorded } : {}) };
}

/** `POST /sms/batch` through API Gateway. */
const api = jsonApi(
  {
    schema: sendBatchRequestSchema,
    maxBodyBytes: MAX_BODY_BYTES,
    log: logger,
    metrics: publishMetrics(),
  },
  async (request, context, event) => {
    const idempotency = apiIdempotency(event, request, context, {
      route: 'POST /sms/batch',
      ledger: idempotencyLedger,
    });
    try {
      return json(202, answerOf(await run(request, context, idempotency)));
    } catch (error) {
      // Same key, same body: the first answer again, and nothing sent.
      if (isIdempotentReplay(error)) {
        const { outcome } = error;
        return replayed(
          outcome.kind === 'ok'
            ? { kind: 'ok', body: answerOf(outcome.body as BatchResult) }
            : outcome,
          202,
          logger,
        );
      }
      throw error;
    }
  },
);

/**
 * An EventBridge Scheduler reminder: the event is the payload itself, with its `idempotencyKey`.
 * Every outcome is logged (one summary line, then the failures). The invocation fails only when
 * nothing was sent and the key was released, so Lambda's retry sends it then; a retry of an
 * invocation that did send replays and sends nothing.
 */
async function scheduled(event: unknown, context: Context): Promise<void> {
  // `idempotencyKey` is the schedule's (Scheduler stamps <aws.scheduler.scheduled-time> into
  // it): a retried invocation with the same one sends nothing again. The rest is the batch.
  const { idempotencyKey, ...payload } =
    typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const parsed = sendBatchRequestSchema.safeParse(payload);
  if (!parsed.success) {
    logger.error('scheduled batch refused: invalid payload', {
      details: describeIssues(parsed.error.issues),
    });
    return;
  }
  let idempotency: IdempotencyGate | undefined;
  try {
    if (idempotencyKey !== undefined) {
      const key = checkIdempotencyKey(idempotencyKey, 'idempotencyKey');
      idempotency = idempotencyGate(idempotencyLedger(), {
        id: ledgerId('schedule', 'scheduler', key),
        fingerprint: fingerprintOf(parsed.data),
        leaseUntil: Date.now() + context.getRemainingTimeInMillis(),
      });
    } else {
      logger.warn(
        'scheduled batch without idempotencyKey: a retried invocation could send it twice',
      );
    }
  } catch (error) {
    logger.error('scheduled batch refused: invalid idempotencyKey', {
      error: (error as Error).message,
    });
    return;
  }
  try {
    const result = await run(parsed.data, context, idempotency);
    logger.info('scheduled batch sent', {
      notRecorded: result.notRecorded.length,
      reference: maskNumbersIn(parsed.data.reference),
      requests: result.requests,
      counts: result.counts,
    });
    const failures = result.groups.flatMap((group, index) =>
      group.messages
        .filter((message) => message.status !== 'accepted')
        .map((message) => ({
          group: index,
          to: maskPhone(message.to),
          messageId: message.messageId,
          status: message.status,
          ...('error' in message ? { error: message.error } : {}),
        })),
    );
    if (failures.length > 0)
      logger.warn('scheduled batch failures', { count: failures.length, failures });
  } catch (error) {
    if (isIdempotentReplay(error)) {
      logger.info('scheduled batch already sent under this idempotencyKey: nothing sent again');
      return;
    }
    logger.error('scheduled batch failed', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    // Nothing was sent and the key was released: failing the invocation lets Lambda retry it
    // (serverless.yml). Without a key a retry is never asked for: it could send twice.
    if (idempotency && sentNothing(error)) throw error;
  }
}

/** A reminder's invocation: its logs carry the Lambda context; its metrics published at the end. */
const scheduledHandler = middy<unknown, void, Error, Context>()
  .use(logContext(logger))
  .use(publishMetrics())
  .handler(scheduled);

/** Tells an API Gateway request from a scheduled payload: only the former has these fields. */
function isApiGatewayEvent(event: unknown): event is APIGatewayProxyEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    'httpMethod' in event &&
    'requestContext' in event
  );
}

/** `sendBatch`: the same payload from an app (`POST /sms/batch`) or from a reminder schedule. */
export async function handler(
  event: unknown,
  context: Context,
): Promise<APIGatewayProxyResult | undefined> {
  if (isApiGatewayEvent(event)) return api(event, context);
  await scheduledHandler(event, context);
  return undefined;
}
