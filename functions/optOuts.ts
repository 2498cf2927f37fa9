import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { optOutStore } from '../shared/deps/optOuts.ts';
import { AppError } from '../shared/errors.ts';
import { httpErrors } from '../shared/http/middleware.ts';
import { json } from '../shared/http/respond.ts';
import { logContext } from '../shared/logContext.ts';
import { logger } from '../shared/logger.ts';
import { isE164, isE164Syntax, maskPhone } from '../shared/phone.ts';
import type { OptOut } from '../shared/store/optOuts.ts';

const NO_CONTENT: APIGatewayProxyResult = {
  statusCode: 204,
  headers: { 'cache-control': 'no-store' },
  body: '',
};

/**
 * The number of the path, decoded. API Gateway's REST API hands path parameters over as sent
 * (`%2B6591234567`), serverless-offline decoded: a number has no `%`, so decoding again is safe.
 */
function numberOf(event: APIGatewayProxyEvent, valid: (number: string) => boolean): string {
  const raw = event.pathParameters?.number ?? '';
  let number: string | undefined;
  try {
    number = decodeURIComponent(raw);
  } catch {
    number = undefined;
  }
  if (number === undefined || !valid(number)) {
    throw new AppError('invalid_request', 'The number is invalid', {
      details: [
        { path: 'number', message: 'must be an E.164 number, URL-encoded (%2B6591234567)' },
      ],
    });
  }
  return number;
}

const view = (optOut: OptOut) => ({
  number: optOut.number,
  optedOut: true,
  since: optOut.since,
  source: optOut.source,
});

const notOptedOut = () => new AppError('not_found', 'The number is not opted out');

/**
 * `GET|PUT|DELETE /opt-outs/{number}`: whether a number is opted out, opting it out (`source`
 * `api`; a number already opted out keeps its first `since`), and opting it back in (`204`, also
 * when it was not opted out: the number ends opted in either way).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
  .use(logContext(logger))
  .use(httpErrors(logger))
  .handler(async (event) => {
    // A reply's STOP is stored for any number of E.164 shape (the callback carries no number
    // metadata): whatever is stored can be read and removed; only valid numbers are added.
    const number = numberOf(event, event.httpMethod === 'PUT' ? isE164 : isE164Syntax);
    const store = optOutStore();
    switch (event.httpMethod) {
      case 'GET': {
        const optOut = await store.get(number);
        if (!optOut) throw notOptedOut();
        return json(200, view(optOut));
      }
      case 'PUT': {
        const entry = { since: new Date().toISOString(), source: 'api' };
        const { changed } = await store.put(number, entry);
        logger.info('opted out by api', { number: maskPhone(number), changed });
        // Unchanged: the first opt-out stands, and is what the answer shows.
        const optOut = (changed ? undefined : await store.get(number)) ?? { number, ...entry };
        return json(200, view(optOut));
      }
      case 'DELETE': {
        const changed = await store.remove(number);
        logger.info('opted in by api', { number: maskPhone(number), changed });
        return { ...NO_CONTENT, headers: { ...NO_CONTENT.headers } };
      }
      default:
        throw new AppError('method_not_allowed', 'Use GET, PUT or DELETE');
    }
  });
