/**
 * `GET /openapi.json` on the local stack (local/stack.ts, what `npm start` runs): served by the
 * bundled `openapi` function under serverless-offline without an API key, the same document the
 * code builds, pointing at the API it came from; and answers that came over HTTP through API
 * Gateway's emulation (the key check included) match it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../../shared/openapi/document.ts';
import { type Answer, openApiChecker } from '../helpers/openapi.ts';

let stack: LocalStack | undefined;
let document: OpenApiDocument;
let checker: ReturnType<typeof openApiChecker>;

async function http(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${stack?.apiBaseUrl}${path}`, init);
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers),
    body: await res.text(),
  };
}

beforeAll(async () => {
  stack = await startLocalStack({ httpPort: await freePort(), deliveryDelayMs: 100 });
  const answer = await http('/openapi.json');
  expect(answer.statusCode, answer.body).toBe(200);
  document = JSON.parse(answer.body) as OpenApiDocument;
  checker = openApiChecker(document);
  checker.check('get', '/openapi.json', answer);
}, 90_000);
afterAll(async () => {
  await stack?.stop();
}, 30_000);

describe('GET <API base URL>/openapi.json on the local stack', () => {
  it('serves the document without an API key, the API where it is served', () => {
    expect(document).toEqual({ ...buildOpenApiDocument(), servers: [{ url: '/' }] });
    const base = new URL(document.servers[0]?.url ?? '', `${stack?.apiBaseUrl}/openapi.json`);
    expect(base.href).toBe(`${stack?.apiBaseUrl}/`);
  });

  it('describes what the API answers over HTTP: 202, 200, 404, and the gateway 403', async () => {
    const headers = { 'x-api-key': stack?.apiKey ?? '', 'content-type': 'application/json' };
    const sent = await http('/sms', {
      method: 'POST',
      headers,
      body: JSON.stringify({ to: '+6591234567', templateId: 'demo-otp', templateParas: ['0042'] }),
    });
    const body = checker.check('post', '/sms', sent) as { messages: Array<{ messageId: string }> };
    expect(sent.statusCode).toBe(202);
    const id = body.messages[0]?.messageId ?? '';
    const status = await http(`/sms/${id}`, { headers });
    expect(status.statusCode).toBe(200);
    checker.check('get', '/sms/{messageId}', status);
    const unknown = await http('/sms/5b0c2f9e-8f1c-4d6a-9e41-0123456789ab', { headers });
    expect(unknown.statusCode).toBe(404);
    checker.check('get', '/sms/{messageId}', unknown);
    const forbidden = await http(`/sms/${id}`, { headers: { 'x-api-key': 'not-the-key' } });
    expect(forbidden.statusCode).toBe(403);
    checker.check('get', '/sms/{messageId}', forbidden);
    const optedOut = await http('/opt-outs/%2B6591234568', { method: 'PUT', headers });
    expect(optedOut.statusCode).toBe(200);
    checker.check('put', '/opt-outs/{number}', optedOut);
  }, 20_000);
});
