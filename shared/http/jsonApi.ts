import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Log } from '../logger.ts';
import { bodyLimit, httpErrors, type Schema, validateBody } from './middleware.ts';

/**
 * An API Gateway JSON endpoint: errors answered in one place, headers normalised, the body size
 * limited, parsed and validated before `handle` runs, which receives the schema's output.
 */
export function jsonApi<T>(
  options: { schema: Schema<T>; maxBodyBytes: number; log: Log },
  handle: (
    body: T,
    context: Context,
    event: APIGatewayProxyEvent,
  ) => Promise<APIGatewayProxyResult>,
) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(httpErrors(options.log))
    .use(httpHeaderNormalizer())
    .use(bodyLimit(options.maxBodyBytes))
    .use(httpJsonBodyParser())
    .use(validateBody(options.schema))
    .handler((event, context) => handle(event.body as unknown as T, context, event));
}
