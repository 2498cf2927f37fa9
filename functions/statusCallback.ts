import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { receivePush } from '../shared/core/receivePush.ts';
import { metrics, publishMetrics } from '../shared/deps/metrics.ts';
import { optOutStore } from '../shared/deps/optOuts.ts';
import { pushReceivers } from '../shared/deps/receivers.ts';
import { messageStore } from '../shared/deps/store.ts';
import { AppError } from '../shared/errors.ts';
import { httpErrors } from '../shared/http/middleware.ts';
import { logContext } from '../shared/logContext.ts';
import { logger } from '../shared/logger.ts';

/** 50 Huawei reports are about 15 KiB, 1,000 Alibaba receipts about 300 KiB; far more is not them. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The Function URL providers push delivery reports and replies to (Huawei at `/`, Alibaba at
 * `/alibaba`). The request is handed to the core exactly as received; `200` only once stored.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResult, Error, Context>()
  .use(logContext(logger))
  .use(publishMetrics())
  .use(httpErrors<APIGatewayProxyEventV2>(logger))
  .handler(async (event) => {
    // Signatures cover the body bytes as sent: decode, never re-serialise.
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (body.length > MAX_BODY_BYTES)
      throw new AppError('payload_too_large', 'The body is too large');
    const answer = await receivePush(
      {
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: event.rawQueryString,
        headers: event.headers,
        body,
      },
      {
        receivers: pushReceivers(),
        store: messageStore(),
        optOuts: optOutStore(),
        log: logger,
        metrics,
      },
    );
    return {
      statusCode: answer.status,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...answer.headers,
      },
      body: answer.body,
    };
  });
