import type { APIGatewayProxyResult } from 'aws-lambda';

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** A JSON answer. */
export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { ...HEADERS }, body: JSON.stringify(body) };
}
