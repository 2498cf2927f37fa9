import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { dependencies } from '../shared/container.ts';
import { sendSms } from '../shared/core/sendSms.ts';
import { bodyLimit, httpErrors, validateBody } from '../shared/http/middleware.ts';
import { json } from '../shared/http/respond.ts';
import { logger } from '../shared/logger.ts';
import { type SendSmsRequest, sendSmsRequestSchema } from '../shared/schemas/sendSms.ts';
import { deadlineFromLambda } from '../shared/util/deadline.ts';

/** 500 numbers and 20 parameters fit in a few KiB; anything near this is not a real request. */
const MAX_BODY_BYTES = 64 * 1024;
/** Time kept back from the Lambda deadline to answer (and, later, to record results). */
const RESERVE_MS = 1_000;

/** `POST /sms`: validate, send through the provider, answer `202` with a result per recipient. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(httpErrors(logger))
  .use(httpHeaderNormalizer())
  .use(bodyLimit(MAX_BODY_BYTES))
  .use(httpJsonBodyParser())
  .use(validateBody(sendSmsRequestSchema))
  .handler(async (event, context) => {
    logger.addContext(context);
    const { provider, config } = dependencies();
    const result = await sendSms(
      event.body as unknown as SendSmsRequest,
      { provider, statusCallbackUrl: config.statusCallbackUrl, log: logger },
      deadlineFromLambda(context, RESERVE_MS),
    );
    return json(202, result);
  });
