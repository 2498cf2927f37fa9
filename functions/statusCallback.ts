import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ingestPush } from '../shared/core/ingestPush.ts';
import { createPushVerifier } from '../shared/delivery/pushVerifier.ts';
import { secretSource } from '../shared/deps/secrets.ts';
import { messageStore } from '../shared/deps/store.ts';
import { AppError } from '../shared/errors.ts';
import { httpErrors } from '../shared/http/middleware.ts';
import { json } from '../shared/http/respond.ts';
import { parseHuaweiPush } from '../shared/huawei/pushes.ts';
import { logger } from '../shared/logger.ts';

/** 50 reports are about 15 KiB; far more is not Huawei. */
const MAX_BODY_BYTES = 1024 * 1024;

let verifyPush: ReturnType<typeof createPushVerifier> | undefined;

/**
 * The Function URL Huawei posts delivery reports and replies to. The push is authenticated from
 * the request exactly as received, stored durably, and only then acknowledged with `200`; a store
 * failure answers `503` so the sender may try again.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResult, Error, Context>()
  .use(httpErrors<APIGatewayProxyEventV2>(logger))
  .handler(async (event, context) => {
    logger.addContext(context);
    const method = event.requestContext.http.method;
    if (method !== 'POST') throw new AppError('method_not_allowed', 'Delivery reports are POSTed');
    // The signature covers the body bytes as sent: decode, never re-serialise.
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (body.length > MAX_BODY_BYTES)
      throw new AppError('payload_too_large', 'The body is too large');
    const receivedAt = new Date();
    verifyPush ??= createPushVerifier((options) => secretSource().secret(options));
    const verdict = await verifyPush(
      { method, path: event.rawPath, query: event.rawQueryString, headers: event.headers, body },
      receivedAt,
    );
    if (!verdict.ok) {
      logger.warn('push refused', {
        reason: verdict.reason,
        sourceIp: event.requestContext.http.sourceIp,
      });
      throw new AppError('unauthorized', 'The push is not authenticated');
    }
    const push = parseHuaweiPush(event.headers['content-type'], body.toString('utf8'));
    const result = await ingestPush(push, messageStore(), logger, receivedAt.toISOString());
    return json(200, result);
  });
