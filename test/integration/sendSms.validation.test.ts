import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import {
  type LocalServices,
  loadHandler,
  localEnv,
  startLocalServices,
} from '../helpers/localServices.ts';

let services: LocalServices;
let handler: Handler;

beforeAll(async () => {
  const secret = JSON.stringify({
    appKey: LOCAL_APP_KEY,
    appSecret: LOCAL_APP_SECRET,
    sender: LOCAL_SENDER,
  });
  services = await startLocalServices({ table: 'validation-test', secrets: { s: secret } });
  handler = await loadHandler(
    '../../functions/sendSms.ts',
    localEnv(services, { SMS_SECRET_ID: 's' }),
  );
});
afterAll(() => services.close());

const ok = {
  to: ['+6591234567'],
  templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
  templateParas: ['123456'],
};
const json = (value: unknown) => JSON.stringify(value);
const many = (n: number) =>
  Array.from({ length: n }, (_, i) => `+6591${String(i).padStart(6, '0')}`);

/** [what, raw body, content type, status, error code, a detail path expected] */
const cases: Array<[string, string | null, string | undefined, number, string, string?]> = [
  ['a body that is not JSON', '{"to": [', 'application/json', 400, 'invalid_request', '(body)'],
  ['no body at all', null, 'application/json', 400, 'invalid_request'],
  ['an empty body', '', 'application/json', 400, 'invalid_request'],
  ['no Content-Type', json(ok), undefined, 415, 'unsupported_media_type'],
  [
    'a form Content-Type',
    'to=%2B6591234567',
    'application/x-www-form-urlencoded',
    415,
    'unsupported_media_type',
  ],
  ['a JSON array body', json([ok]), 'application/json', 400, 'invalid_request', '(body)'],
  ['a JSON null body', 'null', 'application/json', 400, 'invalid_request', '(body)'],
  ['no `to`', json({ ...ok, to: undefined }), 'application/json', 400, 'invalid_request', 'to'],
  ['an empty `to` list', json({ ...ok, to: [] }), 'application/json', 400, 'invalid_request', 'to'],
  [
    'a number (not a string) as `to`',
    json({ ...ok, to: 6591234567 }),
    'application/json',
    400,
    'invalid_request',
    'to',
  ],
  [
    'a number without +',
    json({ ...ok, to: ['6591234567'] }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'a number with spaces',
    json({ ...ok, to: ['+65 9123 4567'] }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'a number with letters',
    json({ ...ok, to: ['+65912345ab'] }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'a number invalid for its country',
    json({ ...ok, to: ['+6512345'] }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'a number over 15 digits',
    json({ ...ok, to: ['+6591234567890123'] }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'comma-joined numbers in one string',
    json({ ...ok, to: '+6591234567,+6598765432' }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    '501 recipients',
    json({ ...ok, to: many(501) }),
    'application/json',
    400,
    'invalid_request',
    'to',
  ],
  [
    'a duplicated recipient',
    json({ ...ok, to: ['+6591234567', '+6598765432', '+6591234567'] }),
    'application/json',
    400,
    'invalid_request',
    'to[2]',
  ],
  [
    'a non-string recipient',
    json({ ...ok, to: ['+6591234567', null] }),
    'application/json',
    400,
    'invalid_request',
    'to[1]',
  ],
  [
    'no templateId',
    json({ ...ok, templateId: undefined }),
    'application/json',
    400,
    'invalid_request',
    'templateId',
  ],
  [
    'an empty templateId',
    json({ ...ok, templateId: '' }),
    'application/json',
    400,
    'invalid_request',
    'templateId',
  ],
  [
    'a 33-character templateId',
    json({ ...ok, templateId: 'a'.repeat(33) }),
    'application/json',
    400,
    'invalid_request',
    'templateId',
  ],
  [
    'a templateId with a space',
    json({ ...ok, templateId: 'abc def' }),
    'application/json',
    400,
    'invalid_request',
    'templateId',
  ],
  [
    'templateParas as a string',
    json({ ...ok, templateParas: '["123456"]' }),
    'application/json',
    400,
    'invalid_request',
    'templateParas',
  ],
  [
    'a number in templateParas',
    json({ ...ok, templateParas: [123456] }),
    'application/json',
    400,
    'invalid_request',
    'templateParas[0]',
  ],
  [
    'an empty template parameter',
    json({ ...ok, templateParas: ['1', ''] }),
    'application/json',
    400,
    'invalid_request',
    'templateParas[1]',
  ],
  [
    '21 template parameters',
    json({ ...ok, templateParas: many(21) }),
    'application/json',
    400,
    'invalid_request',
    'templateParas',
  ],
  [
    'a template parameter with {',
    json({ ...ok, templateParas: ['{x}'] }),
    'application/json',
    400,
    'invalid_request',
    'templateParas[0]',
  ],
  [
    "a template parameter with '",
    json({ ...ok, templateParas: ["it's"] }),
    'application/json',
    400,
    'invalid_request',
    'templateParas[0]',
  ],
  [
    'a 129-character reference',
    json({ ...ok, reference: 'r'.repeat(129) }),
    'application/json',
    400,
    'invalid_request',
    'reference',
  ],
  [
    'a reference with }',
    json({ ...ok, reference: 'order}' }),
    'application/json',
    400,
    'invalid_request',
    'reference',
  ],
  [
    'an empty reference',
    json({ ...ok, reference: '' }),
    'application/json',
    400,
    'invalid_request',
    'reference',
  ],
  [
    'a misspelt field (templateParams)',
    json({ ...ok, templateParams: ['1'] }),
    'application/json',
    400,
    'invalid_request',
    '(body)',
  ],
  [
    'a non-string signature',
    json({ ...ok, signature: 42 }),
    'application/json',
    400,
    'invalid_request',
    'signature',
  ],
  [
    'a prototype-polluting body',
    '{"__proto__":{"admin":true},"to":["+6591234567"],"templateId":"t"}',
    'application/json',
    400,
    'invalid_request',
    '(body)',
  ],
  [
    'a lone surrogate in a template parameter',
    '{"to":["+6591234567"],"templateId":"t","templateParas":["\\ud800"]}',
    'application/json',
    400,
    'invalid_request',
    'templateParas[0]',
  ],
  [
    'invalid UTF-8 bytes in the reference',
    `{"to":["+6591234567"],"templateId":"t","reference":"order-${Buffer.from([0xc3, 0x28]).toString('latin1')}"}`,
    'application/json',
    400,
    'invalid_request',
    'reference',
  ],
  [
    'a premium-rate number alone',
    json({ ...ok, to: ['+979123456789'] }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'a satellite number alone',
    json({ ...ok, to: '+881612345678' }),
    'application/json',
    400,
    'invalid_request',
    'to[0]',
  ],
  [
    'a body over 64 KiB',
    json({ ...ok, reference: 'x'.repeat(70_000) }),
    'application/json',
    413,
    'payload_too_large',
  ],
];

describe('POST /sms refuses malformed input before anything reaches the provider', () => {
  it.each(cases)('%s', async (what, body, contentType, status, code, path) => {
    const headers: Record<string, string> = contentType ? { 'Content-Type': contentType } : {};
    // Raw bytes travel base64-encoded, as API Gateway delivers a body that is not valid UTF-8.
    const raw = what.startsWith('invalid UTF-8');
    const event = apiEvent({
      body: raw && body !== null ? Buffer.from(body, 'latin1').toString('base64') : body,
      headers,
      isBase64Encoded: raw,
    });
    const result = await handler(event, lambdaContext(), () => {});
    const answer = parseAnswer(result);
    expect(answer.statusCode).toBe(status);
    expect(answer.headers?.['content-type']).toBe('application/json');
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.message).toBeTruthy();
    if (path) {
      expect(answer.body.error?.details?.map((d) => d.path)).toContain(path);
      for (const detail of answer.body.error?.details ?? [])
        expect(detail.message).not.toBe('Invalid input');
    }
    expect(result.body).not.toMatch(/at .+\.ts:\d+/); // never a stack trace
  });

  it(`has at least 25 cases, none of which reached the sandbox`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(services.sandbox.requests).toHaveLength(0);
  });

  it('still sends a valid request through the same handler (the table is not passing vacuously)', async () => {
    const answer = parseAnswer(
      await handler(apiEvent({ body: json(ok) }), lambdaContext(), () => {}),
    );
    expect(answer.statusCode).toBe(202);
    expect(services.sandbox.requests).toHaveLength(1);
  });
});
