import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * The id API Gateway gives a request (REST API and Function URL events both carry it as
 * `requestContext.requestId`; API Gateway answers it as `x-amzn-RequestId`). Undefined for a
 * scheduled invocation, which has only the Lambda request id.
 */
export function requestIdOf(event: unknown): string | undefined {
  const id = (event as { requestContext?: { requestId?: unknown } } | null)?.requestContext
    ?.requestId;
  return typeof id === 'string' && id !== '' && id.length <= 200 ? id : undefined;
}

/**
 * Middy middlewares that put the Lambda context (`function_request_id`, `cold_start`, ...) and the
 * request's `correlation_id` on every log line of the invocation, and take the correlation id off
 * again when it ends. `.use()` it first, so the error handler's lines carry them too.
 */
export function logContext<TEvent, TResult>(logger: Logger): MiddlewareObj<TEvent, TResult>[] {
  return [
    // `logEvent: false` whatever POWERTOOLS_LOGGER_LOG_EVENT says: events hold phone numbers.
    injectLambdaContext(logger, { resetKeys: true, logEvent: false }) as MiddlewareObj<
      TEvent,
      TResult
    >,
    {
      before: ({ event }) => {
        const id = requestIdOf(event);
        if (id !== undefined) logger.setCorrelationId(id);
      },
    },
  ];
}
