import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type BatchResult, sendBatch } from '../shared/core/sendBatch.ts';
import { appConfig } from '../shared/deps/config.ts';
import { recipientCounters } from '../shared/deps/counters.ts';
import { optOutStore } from '../shared/deps/optOuts.ts';
import { providerRouter } from '../shared/deps/router.ts';
import { messageStore } from '../shared/deps/store.ts';
import { describeIssues } from '../shared/http/issues.ts';
import { jsonApi } from '../shared/http/jsonApi.ts';
import { json } from '../shared/http/respond.ts';
import { logger } from '../shared/logger.ts';
import { maskPhone } from '../shared/phone.ts';
import { type SendBatchRequest, sendBatchRequestSchema } from '../shared/schemas/sendBatch.ts';
import { deadlineFromLambda } from '../shared/util/deadline.ts';

/** 10,000 numbers and their groups fit in well under 1 MiB. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Kept back from the Lambda deadline to record the last results and answer. */
const RESERVE_MS = 3_000;

async function run(request: SendBatchRequest, context: Context): Promise<BatchResult> {
  logger.addContext(context);
  return sendBatch(
    request,
    {
      router: await providerRouter(),
      allowedCountries: appConfig().allowedCountries,
      counters: recipientCounters(),
      optOuts: optOutStore(),
      store: messageStore(),
      log: logger,
      concurrency: appConfig().batchConcurrency,
    },
    deadlineFromLambda(context, RESERVE_MS),
  );
}

/** `POST /sms/batch` through API Gateway. */
const api = jsonApi(
  { schema: sendBatchRequestSchema, maxBodyBytes: MAX_BODY_BYTES, log: logger },
  async (request, context) => {
    const { groups, counts, notRecorded } = await run(request, context);
    return json(202, { groups, counts, ...(notRecorded.length > 0 ? { notRecorded } : {}) });
  },
);

/**
 * An EventBridge Scheduler reminder: the event is the payload itself. Nothing here throws: a
 * retried invocation could send twice, so every outcome is logged (one summary line, then the
 * failures) and the invocation ends normally.
 */
async function scheduled(event: unknown, context: Context): Promise<void> {
  const parsed = sendBatchRequestSchema.safeParse(event);
  if (!parsed.success) {
    logger.addContext(context);
    logger.error('scheduled batch refused: invalid payload', {
      details: describeIssues(parsed.error.issues),
    });
    return;
  }
  try {
    const result = await run(parsed.data, context);
    logger.info('scheduled batch sent', {
      notRecorded: result.notRecorded.length,
      reference: parsed.data.reference,
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
    logger.error('scheduled batch failed', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
  }
}

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
  await scheduled(event, context);
  return undefined;
}
