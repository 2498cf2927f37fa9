import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { NonceStore } from '../../sandbox/common/nonces.ts';
import { authenticate } from '../../sandbox/huawei/auth.ts';
import { startSandbox } from '../../sandbox/huawei/server.ts';
import { splitUrl } from '../../shared/huawei/signer.ts';
import { akskVectors, sdkDateToDate } from '../helpers/vectors.ts';

type Vector = (typeof akskVectors.vectors)[number];

/** Sends a vector byte for byte: its Host (not the sandbox's address), headers and body. */
function sendVector(
  port: number,
  vector: Vector,
  body: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { path, query } = splitUrl(vector.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: vector.method,
        path: query === '' ? path : `${path}?${query}`,
        setHost: false,
        headers: {
          ...vector.headers,
          Host: vector.hostHeader,
          'X-Sdk-Date': vector.xSdkDate,
          Authorization: vector.authorization,
          ...(vector.method === 'GET' ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(vector.method === 'GET' ? undefined : body);
  });
}

const isAuthError = (answer: { status: number; body: Record<string, unknown> }) =>
  answer.status === 401 ||
  answer.body.error_code === 'APIG.0303' ||
  /^E0000[0-2]\d$/.test(String(answer.body.code));

/** Flips one byte in the middle of the body, the smallest change a verifier must notice. */
function flip(body: string): string {
  const i = Math.floor(body.length / 2);
  return body.slice(0, i) + (body[i] === 'A' ? 'B' : 'A') + body.slice(i + 1);
}

describe("sandbox against Huawei's own AK/SK vectors", () => {
  for (const vector of akskVectors.vectors) {
    it(`authenticates ${vector.id} as sent, and refuses it with one body byte changed`, async () => {
      const sandbox = await startSandbox({
        apps: [{ ...akskVectors.credentials, senders: ['isms12345678'] }],
        now: () => sdkDateToDate(vector.xSdkDate),
      });
      try {
        const answer = await sendVector(sandbox.port, vector, vector.body);
        expect(isAuthError(answer), JSON.stringify(answer)).toBe(false);
        const { path } = splitUrl(vector.url);
        if (path === '/sms/batchSendSms/v1' || path === '/sms/batchSendDiffSms/v1') {
          expect(answer).toMatchObject({ status: 200, body: { code: '000000' } });
          expect(sandbox.requests[0]?.body).toBe(vector.body);
          const tampered = await sendVector(sandbox.port, vector, flip(vector.body));
          expect(tampered).toMatchObject({ status: 401, body: { error_code: 'APIG.0303' } });
          // The gateway's canonical request in the message matches Huawei's, except for the body hash.
          const shown = String(tampered.body.error_msg).split('canonicalRequest:')[1] ?? '';
          const expected = vector.canonicalRequest.replaceAll('\n', '|');
          expect(shown.slice(0, -64)).toBe(expected.slice(0, -64));
        } else {
          // V4 (GET /sms/v1/echo) and V5 (trailing slash) are not SMS APIs: the gateway finds no
          // API before it authenticates, exactly as for any other caller.
          // What the sandbox captured off the wire still authenticates, and not once changed.
          expect(answer).toMatchObject({ status: 404, body: { error_code: 'APIG.0101' } });
          const captured = sandbox.requests[0];
          if (!captured) throw new Error('request not captured');
          const context = {
            lookup: (ak: string) =>
              ak === akskVectors.credentials.appKey ? akskVectors.credentials.appSecret : undefined,
            nonces: new NonceStore(60_000),
            now: sdkDateToDate(vector.xSdkDate),
          };
          expect(authenticate(captured, context)).toMatchObject({ ok: true, mode: 'aksk' });
          const changed =
            captured.query === ''
              ? { ...captured, path: `${captured.path}x` }
              : { ...captured, query: captured.query.replace('a=1', 'a=2') };
          expect(authenticate(changed, context)).toMatchObject({
            ok: false,
            reply: { status: 401 },
          });
        }
      } finally {
        await sandbox.close();
      }
    });
  }
});
