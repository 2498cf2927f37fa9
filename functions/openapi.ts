import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { buildOpenApiDocument, type OpenApiDocument } from '../shared/openapi/document.ts';

const PATH = '/openapi.json';

/**
 * Built once per container, while it initialises (~20 ms; the import ~40 ms, most of it
 * libphonenumber's metadata, which the request schemas' number check pulls in).
 */
const document: OpenApiDocument = buildOpenApiDocument();

/**
 * Where the API is, seen from the document: the path it was requested on, without
 * `/openapi.json` (`/dev` on the execute-api host, a custom domain's base path, `/` locally). A
 * relative URL, resolved against the document's own (OpenAPI 3.1 "Server Object"), so nothing a
 * caller sends (a `Host` header) is written into the answer.
 */
function serverUrl(event: APIGatewayProxyEvent): string {
  const requested = event.requestContext?.path ?? event.path ?? PATH;
  const base = requested.endsWith(PATH) ? requested.slice(0, -PATH.length) : '';
  return /^(\/[A-Za-z0-9._~-]+)*$/.test(base) && base !== '' ? base : '/';
}

/**
 * `GET /openapi.json` (no API key): the OpenAPI 3.1 document of the HTTP API, generated from the
 * zod schemas (shared/openapi/). Needs no permission and no configuration.
 */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify({ ...document, servers: [{ url: serverUrl(event) }] }),
  };
}
