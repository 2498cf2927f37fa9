import type { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logContext } from '../logContext.ts';
import { bodyLimit, httpErrors, type Schema, validateBody } from './middleware.ts';

/**
 * An API Gateway JSON endpoint: logs carry the Lambda context and the request's correlation id,
 * errors are answered in one place, headers normalised, the body size limited, parsed and
 * validated before `handle` runs, which receives the schema's output. `metrics` (the handler's
 * publisher) runs once the request is answered, whatever the answer.
 */
export function jsonApi<T>(
  options: {
    schema: Schema<T>;
    maxBodyBytes: number;
    log: Logger;
    metrics?: MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;
  },
  handle: (
    body: T,
    context: Context,
    event: APIGatewayProxyEvent,
  ) => Promise<APIGatewayProxyResult>,
) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(logContext(options.log))
    .use(options.metrics ? [options.metrics] : [])
    .use(httpErrors(options.log))
    .use(httpHeaderNormalizer())
    .use(bodyLimit(options.maxBodyBytes))
    .use(httpJsonBodyParser())
    .use(validateBody(options.schema))
    .handler((event, context) => handle(event.body as unknown as T, context, event));
}
