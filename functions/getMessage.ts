import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { messageView } from '../shared/delivery/view.ts';
import { messageStore } from '../shared/deps/store.ts';
import { AppError } from '../shared/errors.ts';
import { httpErrors } from '../shared/http/middleware.ts';
import { json } from '../shared/http/respond.ts';
import { logContext } from '../shared/logContext.ts';
import { logger } from '../shared/logger.ts';
import { isMessageId } from '../shared/messageId.ts';

/** `GET /sms/{messageId}`: the message, its status, parts and history, or `404`. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(logContext(logger))
  .use(httpErrors(logger))
  .handler(async (event) => {
    // Ids are UUIDs, case-insensitive as UUIDs are (RFC 9562): an upper-case copy finds its message.
    const messageId = (event.pathParameters?.messageId ?? '').toLowerCase();
    // Anything that is not a UUID cannot exist, and needs no read to say so.
    const view = isMessageId(messageId)
      ? messageView(messageId, await messageStore().getMessage(messageId))
      : undefined;
    if (!view)
      throw new AppError(
        'not_found',
        `No message with id ${JSON.stringify(messageId.slice(0, 64))}`,
      );
    return json(200, view);
  });
