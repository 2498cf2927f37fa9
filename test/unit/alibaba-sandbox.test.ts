import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  decodeQuery,
  percentEncode,
  sha256Hex,
  stringToSign,
} from '../../sandbox/alibaba/acs3.ts';
import { call, formatAcsDate, sendWire, signCall } from '../../sandbox/alibaba/client.ts';
import { type AlibabaSandbox, startAlibabaSandbox } from '../../sandbox/alibaba/server.ts';
import acs3 from '../fixtures/vectors/alibaba-acs3.json' with { type: 'json' };

type Vector = (typeof acs3.vectors)[number];

interface Raw {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
}

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON
  body: any;
}

/** The vector's request exactly as Alibaba's SDK sent it. */
function wireOf(vector: Vector): Raw {
  const [method = '', target = ''] = vector.expected.wire.requestTarget.split(' ');
  return {
    method,
    target,
    headers: { ...vector.expected.wire.headers } as Record<string, string>,
    body: vector.expected.wire.body,
  };
}

/** Sends byte for byte, the vector's Host included (not the sandbox's address). */
function sendRaw(port: number, raw: Raw): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: raw.method,
        path: raw.target,
        setHost: false,
        headers: { ...raw.headers, 'Content-Length': String(Buffer.byteLength(raw.body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(raw.body);
  });
}

const OTHER_ACTION: Record<string, string> = {
  SendSms: 'QuerySendDetails',
  SendBatchSms: 'SendSms',
  QuerySendDetails: 'SendSms',
  SendMessageToGlobe: 'QueryMessage',
  BatchSendMessageToGlobe: 'SendMessageToGlobe',
};

/** A different value for each header a vector signs, still well-formed. */
function changed(name: string, value: string, vector: Vector): string {
  switch (name) {
    case 'host':
      return `evil.${value}`;
    case 'x-acs-date':
      return formatAcsDate(new Date(new Date(value).getTime() + 1000));
    case 'x-acs-action':
      return OTHER_ACTION[value] ?? 'SendSms';
    case 'x-acs-version':
      return vector.api.version === '2017-05-25' ? '2018-05-01' : '2017-05-25';
    case 'content-type':
      return `${value}; charset=UTF-8`;
    case 'x-acs-content-sha256':
      return `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`;
    default:
      return `${value}0`;
  }
}

interface Mutation {
  what: string;
  apply(raw: Raw): void;
}

function mutations(vector: Vector): Mutation[] {
  const raw = wireOf(vector);
  const list: Mutation[] = [
    {
      what: 'the method',
      apply: (r) => {
        r.method = 'GET';
      },
    },
    {
      what: 'the body',
      apply: (r) => {
        r.body = r.body === '' ? 'x' : `${r.body.slice(0, -1)}0`;
      },
    },
    {
      what: 'the signature',
      apply: (r) => {
        const auth = r.headers.Authorization ?? '';
        r.headers.Authorization = `${auth.slice(0, -1)}${auth.endsWith('0') ? '1' : '0'}`;
      },
    },
  ];
  const query = raw.target.slice(raw.target.indexOf('?') + 1);
  for (const pair of query.split('&')) {
    const name = pair.slice(0, pair.indexOf('='));
    list.push({
      what: `query parameter ${name}`,
      apply: (r) => {
        r.target = r.target.replace(`${pair}`, `${pair}1`);
      },
    });
  }
  const signed =
    /SignedHeaders=([^,]+)/.exec(raw.headers.Authorization ?? '')?.[1]?.split(';') ?? [];
  for (const name of signed) {
    list.push({
      what: `signed header ${name}`,
      apply: (r) => {
        r.headers[name] = changed(name, r.headers[name] ?? '', vector);
      },
    });
  }
  return list;
}

const VECTOR_KEY = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' };
let clock = new Date();
let sandbox: AlibabaSandbox;

beforeAll(async () => {
  sandbox = await startAlibabaSandbox({
    now: () => clock,
    credentials: [VECTOR_KEY, { accessKeyId: 'sts-key', accessKeySecret: 's', securityToken: 't' }],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('ACS3 canonical forms (the sandbox verifier, pure)', () => {
  it.each(acs3.percentEncodingCases)('percent-encodes %j as %s', (raw, encoded) => {
    expect(percentEncode(raw)).toBe(encoded);
  });

  it.each(acs3.vectors.map((v) => [v.id, v] as const))(
    'recomputes the canonical request and string to sign of %s from its wire form',
    (_id, vector) => {
      const raw = wireOf(vector);
      const q = raw.target.indexOf('?');
      const query = q === -1 ? '' : raw.target.slice(q + 1);
      expect(canonicalQuery(decodeQuery(query))).toBe(vector.expected.canonicalQueryString);
      const headers = Object.fromEntries(
        Object.entries(raw.headers).map(([name, value]) => [name.toLowerCase(), value]),
      );
      const canonical = canonicalRequest(
        { method: raw.method, path: '/', query, headers, hashedPayload: sha256Hex(raw.body) },
        vector.expected.signedHeaders.split(';'),
      );
      expect(canonical).toBe(vector.expected.canonicalRequest);
      expect(stringToSign(canonical)).toBe(vector.expected.stringToSign);
    },
  );
});

describe('ACS3 verification against the SDK vectors', () => {
  it.each(acs3.vectors.map((v) => [v.id, v] as const))(
    'accepts %s as Alibaba would',
    async (_id, vector) => {
      clock = new Date(vector.input.xAcsDate);
      const got = await sendRaw(sandbox.port, wireOf(vector));
      expect(got.status).toBe(200);
      expect(got.body.Code ?? got.body.ResponseCode).toBe('OK');
      expect(got.headers['x-acs-request-id']).toBe(got.body.RequestId);
    },
  );

  for (const vector of acs3.vectors) {
    describe(vector.id, () => {
      it.each(mutations(vector).map((m) => [m.what, m] as const))(
        'refuses it with SignatureDoesNotMatch when %s changes',
        async (what, mutation) => {
          clock = new Date(vector.input.xAcsDate);
          const raw = wireOf(vector);
          mutation.apply(raw);
          const got = await sendRaw(sandbox.port, raw);
          expect(got.status).toBe(400);
          expect(got.body).toMatchObject({ Code: 'SignatureDoesNotMatch' });
          expect(got.body.Message).toContain('server string to sign is:ACS3-HMAC-SHA256\n');
          if (what === 'the signature') {
            // Only the signature changed: the server's string to sign is the SDK's.
            expect(got.body.Message.endsWith(vector.expected.stringToSign)).toBe(true);
          }
          expect(sandbox.messages.size).toBe(0);
        },
      );
    });
  }

  it("verifies the signing guide's own example (then answers that ECS's API version is not here)", async () => {
    const doc = acs3.officialDocExamples[0];
    if (!doc) throw new Error('no doc example');
    const { input, expected } = doc;
    const doctor = await startAlibabaSandbox({
      now: () => new Date(input.xAcsDate),
      credentials: [{ accessKeyId: input.accessKeyId, accessKeySecret: input.accessKeySecret }],
    });
    try {
      const got = await sendRaw(doctor.port, {
        method: input.method,
        target: `/?${expected.canonicalRequest.split('\n')[2]}`,
        headers: {
          host: input.host,
          'x-acs-action': input.action,
          'x-acs-content-sha256': expected.hashedRequestPayload,
          'x-acs-date': input.xAcsDate,
          'x-acs-signature-nonce': input.xAcsSignatureNonce,
          'x-acs-version': input.version,
          Authorization: expected.authorization,
        },
        body: '',
      });
      expect(got).toMatchObject({ status: 400, body: { Code: 'InvalidVersion' } });
    } finally {
      await doctor.close();
    }
  });

  it('says so when x-acs-content-sha256 is not the hash of the body received', async () => {
    const vector = acs3.vectors[1] as Vector;
    clock = new Date(vector.input.xAcsDate);
    const raw = wireOf(vector);
    raw.body = `${raw.body}&More=1`;
    const got = await sendRaw(sandbox.port, raw);
    expect(got.body.Code).toBe('SignatureDoesNotMatch');
    expect(got.body.Message).toContain(
      'x-acs-content-sha256 is not the SHA-256 of the body received',
    );
  });

  it('answers gateway errors as {RequestId, HostId, Code, Message, Recommend}', async () => {
    const vector = acs3.vectors[0] as Vector;
    clock = new Date(vector.input.xAcsDate);
    const raw = wireOf(vector);
    raw.headers.Authorization = (raw.headers.Authorization ?? '').replace(/.$/, 'f');
    const got = await sendRaw(sandbox.port, raw);
    expect(Object.keys(got.body).sort()).toEqual([
      'Code',
      'HostId',
      'Message',
      'Recommend',
      'RequestId',
    ]);
    expect(got.body.HostId).toBe('dysmsapi.aliyuncs.com');
    expect(got.body.Recommend).toContain('SignatureDoesNotMatch');
    expect(got.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('ACS3 time window and nonces', () => {
  const vector = acs3.vectors[0] as Vector;
  const signedAt = new Date(vector.input.xAcsDate).getTime();

  it.each([
    ['15 minutes later', 15 * 60_000, 200],
    ['15 minutes and 1 s later', 15 * 60_000 + 1000, 400],
    ['15 minutes earlier', -15 * 60_000, 200],
    ['15 minutes and 1 s earlier', -(15 * 60_000 + 1000), 400],
  ])('the server clock %s: %i', async (_what, offset, status) => {
    clock = new Date(signedAt + offset);
    const got = await sendRaw(sandbox.port, wireOf(vector));
    expect(got.status).toBe(status);
    if (status === 400) expect(got.body.Code).toBe('InvalidTimeStamp.Expired');
  });

  it('refuses a replayed nonce within the window with SignatureNonceUsed', async () => {
    clock = new Date(signedAt);
    expect((await sendRaw(sandbox.port, wireOf(vector))).status).toBe(200);
    const replay = await sendRaw(sandbox.port, wireOf(vector));
    expect(replay).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
    expect(sandbox.messages.size).toBe(1);
  });

  it('does not burn a nonce on a request it refused', async () => {
    clock = new Date(signedAt);
    const bad = wireOf(vector);
    bad.headers.Authorization = (bad.headers.Authorization ?? '').replace(/.$/, 'f');
    expect((await sendRaw(sandbox.port, bad)).body.Code).toBe('SignatureDoesNotMatch');
    expect((await sendRaw(sandbox.port, wireOf(vector))).status).toBe(200);
  });
});

describe('ACS3 refusals', () => {
  const at = new Date('2026-11-20T02:00:00Z');
  const url = () => sandbox.url;
  const sendSms = {
    action: 'SendSms',
    version: '2017-05-25',
    query: { PhoneNumbers: '13800138000', SignName: 'Test', TemplateCode: 'SMS_1' },
    at,
  } as const;
  beforeEach(() => {
    clock = at;
  });

  it('accepts the same request signed by the sandbox client', async () => {
    expect((await call(url(), { ...sendSms, credentials: VECTOR_KEY })).body.Code).toBe('OK');
  });

  it('refuses an unknown AccessKey ID with 404 InvalidAccessKeyId.NotFound', async () => {
    const got = await call(url(), {
      ...sendSms,
      credentials: { accessKeyId: 'nobody', accessKeySecret: 'x' },
    });
    expect(got).toMatchObject({ status: 404, body: { Code: 'InvalidAccessKeyId.NotFound' } });
  });

  it('refuses a request without Authorization with IncompleteSignature', async () => {
    const wire = signCall(url(), { ...sendSms, credentials: VECTOR_KEY });
    delete wire.headers.authorization;
    expect(await sendWire(url(), wire)).toMatchObject({
      status: 400,
      body: { Code: 'IncompleteSignature' },
    });
  });

  it.each([
    ['another algorithm', (a: string) => a.replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3')],
    ['no Signature', (a: string) => a.replace(/,Signature=.*/, '')],
    ['no Credential', (a: string) => a.replace(/Credential=[^,]*,/, '')],
    ['garbage', () => 'ACS3-HMAC-SHA256 nonsense'],
  ])('refuses an Authorization with %s as IncompleteSignature', async (_what, edit) => {
    const wire = signCall(url(), { ...sendSms, credentials: VECTOR_KEY });
    wire.headers.authorization = edit(wire.headers.authorization ?? '');
    expect((await sendWire(url(), wire)).body.Code).toBe('IncompleteSignature');
  });

  it('tolerates a space after the commas of Authorization', async () => {
    const wire = signCall(url(), { ...sendSms, credentials: VECTOR_KEY });
    wire.headers.authorization = (wire.headers.authorization ?? '').replaceAll(',', ', ');
    expect((await sendWire(url(), wire)).body.Code).toBe('OK');
  });

  it.each(['x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'])(
    'refuses a request without %s with MissingParameter',
    async (name) => {
      const wire = signCall(url(), { ...sendSms, credentials: VECTOR_KEY });
      delete wire.headers[name];
      const got = await sendWire(url(), wire);
      expect(got).toMatchObject({ status: 400, body: { Code: 'MissingParameter' } });
      expect(got.body.Message).toContain(name);
    },
  );

  it.each([
    '2026-11-20T02:00:00.000Z',
    '2026-11-20 02:00:00',
    '2026-11-20T02:00:00+08:00',
    '2026-02-30T02:00:00Z',
  ])('refuses x-acs-date %s with InvalidTimeStamp.Format', async (date) => {
    const wire = signCall(url(), {
      ...sendSms,
      credentials: VECTOR_KEY,
      signedHeaders: { 'x-acs-date': date },
    });
    expect((await sendWire(url(), wire)).body.Code).toBe('InvalidTimeStamp.Format');
  });

  it('refuses an x-acs-* header that SignedHeaders does not name', async () => {
    const wire = signCall(url(), { ...sendSms, credentials: VECTOR_KEY });
    wire.headers['x-acs-extra'] = 'unsigned';
    const got = await sendWire(url(), wire);
    expect(got).toMatchObject({ status: 400, body: { Code: 'IncompleteSignature' } });
    expect(got.body.Message).toContain('x-acs-extra');
  });

  it('accepts unsigned headers other than host and x-acs-* (accept, user-agent)', async () => {
    const wire = signCall(url(), { ...sendSms, credentials: VECTOR_KEY });
    wire.headers.accept = 'application/json';
    wire.headers['user-agent'] = 'test';
    expect((await sendWire(url(), wire)).body.Code).toBe('OK');
  });

  it('signs exactly what SignedHeaders names: an extra signed header such as x-acs-credentials-provider', async () => {
    const got = await call(url(), {
      ...sendSms,
      credentials: VECTOR_KEY,
      signedHeaders: { 'x-acs-credentials-provider': 'static_ak', 'x-acs-retry-attempts': '1' },
    });
    expect(got.body.Code).toBe('OK');
  });

  it('requires the configured security token of an STS key', async () => {
    const sts = { accessKeyId: 'sts-key', accessKeySecret: 's' };
    const without = await call(url(), { ...sendSms, credentials: sts });
    expect(without.body.Code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    const withToken = await call(url(), {
      ...sendSms,
      credentials: sts,
      signedHeaders: { 'x-acs-security-token': 't' },
    });
    expect(withToken.body.Code).toBe('OK');
  });
});
