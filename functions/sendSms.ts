import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { sendSms } from '../shared/core/sendSms.ts';
import { statusCallbackUrl } from '../shared/deps/callback.ts';
import { huaweiProvider } from '../shared/deps/provider.ts';
import { messageStore } from '../shared/deps/store.ts';
import { bodyLimit, httpErrors, validateBody } from '../shared/http/middleware.ts';
import { json } from '../shared/http/respond.ts';
import { logger } from '../shared/logger.ts';
import { type SendSmsRequest, sendSmsRequestSchema } from '../shared/schemas/sendSms.ts';
import { deadlineFromLambda } from '../shared/util/deadline.ts';

/** 500 numbers and 20 parameters fit in a few KiB; anything near this is not a real request. */
const MAX_BODY_BYTES = 64 * 1024;
/** Time kept back from the Lambda deadline to record the results and answer. */
const RESERVE_MS = 2_000;

/** `POST /sms`: validate, send through the provider, record, answer `202` per recipient. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(httpErrors(logger))
  .use(httpHeaderNormalizer())
  .use(bodyLimit(MAX_BODY_BYTES))
  .use(httpJsonBodyParser())
  .use(validateBody(sendSmsRequestSchema))
  .handler(async (event, context) => {
    logger.addContext(context);
    const result = await sendSms(
      event.body as unknown as SendSmsRequest,
      {
        provider: huaweiProvider(),
        store: messageStore(),
        statusCallbackUrl,
        log: logger,
      },
      deadlineFromLambda(context, RESERVE_MS),
    );
    return json(202, result);
  });
