import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import { errorResponse } from './errorResponse.ts';
import { describeIssues, type Issue } from './issues.ts';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** Refuses bodies over `maxBytes` (after base64 decoding) before anything parses them. */
export function bodyLimit(maxBytes: number): HttpMiddleware {
  return {
    before: ({ event }) => {
      const raw = event.body ?? '';
      // The decoded size exactly (padding excluded): a body at the limit is within it either way.
      const bytes = Buffer.byteLength(raw, event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes > maxBytes) {
        throw new AppError('payload_too_large', `The body must be at most ${maxBytes} bytes`);
      }
    },
  };
}

/** The part of a zod schema the validator needs (zod and zod/mini both fit). */
export interface Schema<T> {
  safeParse(
    input: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

/** Validates the parsed JSON body with a zod schema; on failure a `400` lists every problem. */
export function validateBody<T>(schema: Schema<T>): HttpMiddleware {
  return {
    before: (request) => {
      const result = schema.safeParse(request.event.body);
      if (!result.success) {
        throw new AppError('invalid_request', 'The request is invalid', {
          details: describeIssues(result.error.issues),
        });
      }
      (request.event as { body: unknown }).body = result.data;
    },
  };
}

/** Answers every error through `errorResponse`: handlers never throw to Lambda. */
export function httpErrors<TEvent = APIGatewayProxyEvent>(
  log: Log,
): MiddlewareObj<TEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error, log);
    },
  };
}
