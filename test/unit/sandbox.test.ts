import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  formBody as form,
  jsonBody as json,
  type SendOptions,
  sendSigned,
} from '../../sandbox/huawei/client.ts';
import {
  FORM_PATH,
  JSON_PATH,
  LOCAL_APP,
  LOCAL_SENDER,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../sandbox/huawei/server.ts';
import { canonicalRequest, formatSdkDate, stringToSign } from '../../shared/huawei/canonical.ts';
import { hmacHex, signWsse } from '../../shared/huawei/signer.ts';

const FORM = 'application/x-www-form-urlencoded';
const T0 = new Date('2026-03-01T10:00:00Z');
let clock = T0;

/** Sends signed at the sandbox's injected clock unless told otherwise. */
const send = (target: Sandbox, body: string, options: SendOptions = {}) =>
  sendSigned(target.url, body, { at: clock, ...options });

let sandbox: Sandbox;
const options: SandboxOptions = { now: () => clock, slowMs: 150 };

beforeAll(async () => {
  sandbox = await startSandbox(options);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  clock = T0;
  sandbox.reset();
});

describe('sandbox authentication', () => {
  it('accepts a form request signed with AK/SK and answers like Huawei', async () => {
    const answer = await send(
      sandbox,
      form({ statusCallback: 'https://relay.example.com/cb?token=abc', extend: 'order-42' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe('000000');
    expect(answer.body.description).toBe('Success');
    const [entry] = answer.body.result;
    expect(Object.keys(entry)).toEqual([
      'originTo',
      'createTime',
      'from',
      'smsMsgId',
      'status',
      'countryId',
      'total',
    ]);
    expect(entry).toMatchObject({
      originTo: '+6591234567',
      createTime: '2026-03-01T10:00:00Z',
      from: LOCAL_SENDER,
      status: '000000',
      countryId: 'SG',
      total: 1,
    });
    expect(entry.smsMsgId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_\d+$/,
    );
    expect(sandbox.messages.get(entry.smsMsgId)).toEqual({
      smsMsgId: entry.smsMsgId,
      to: '+6591234567',
      from: LOCAL_SENDER,
      templateId: 'tpl-0001',
      templateParas: ['012345', '5'],
      statusCallback: 'https://relay.example.com/cb?token=abc',
      extend: 'order-42',
      createdAt: T0,
    });
  });

  it('accepts a JSON batchSendDiffSms request with one result per recipient, in order', async () => {
    const body = JSON.stringify({
      from: LOCAL_SENDER,
      statusCallback: 'http://127.0.0.1:3000/cb',
      smsContent: [
        { to: ['+6591234567', '+6598765432'], templateId: 'a', templateParas: ['1'] },
        { to: ['+60123456789'], templateId: 'b', signature: 'Brand' },
      ],
    });
    const answer = await send(sandbox, body, { path: JSON_PATH });
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe('000000');
    expect(answer.body.result.map((r: { originTo: string }) => r.originTo)).toEqual([
      '+6591234567',
      '+6598765432',
      '+60123456789',
    ]);
    expect(sandbox.messages.size).toBe(3);
    const last = sandbox.messages.get(answer.body.result[2].smsMsgId);
    expect(last).toMatchObject({ templateId: 'b', templateParas: [], signature: 'Brand' });
  });

  for (const variant of ['hex', 'raw'] as const) {
    it(`accepts X-WSSE with the ${variant} digest variant on both routes`, async () => {
      expect((await send(sandbox, form(), { auth: 'wsse', variant })).body.code).toBe('000000');
      const answer = await send(sandbox, json(), { path: JSON_PATH, auth: 'wsse', variant });
      expect(answer.body.code).toBe('000000');
    });
  }

  it('refuses a body changed after signing with APIG.0303 and its own canonical request', async () => {
    const answer = await send(sandbox, form(), {
      tamper: (b) => b.replace('tpl-0001', 'tpl-0002'),
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error_code).toBe('APIG.0303');
    expect(answer.body.error_msg).toMatch(
      /^Incorrect app authentication information: verify signature fail, canonicalRequest:POST\|\/sms\/batchSendSms\/v1\/\|\|content-type:application\/x-www-form-urlencoded\|host:127\.0\.0\.1:\d+\|x-sdk-date:20260301T100000Z\|\|content-type;host;x-sdk-date\|[0-9a-f]{64}$/,
    );
    expect(answer.body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(sandbox.messages.size).toBe(0);
  });

  it('holds AK/SK to a 15-minute window', async () => {
    expect((await send(sandbox, form(), { at: new Date(T0.getTime() - 14 * 60_000) })).status).toBe(
      200,
    );
    const stale = await send(sandbox, form(), { at: new Date(T0.getTime() - 16 * 60_000) });
    expect(stale.status).toBe(401);
    expect(stale.body.error_code).toBe('APIG.0303');
    expect(stale.body.error_msg).toContain('signature expired, signature time:20260301T094400Z');
    const future = await send(sandbox, form(), { at: new Date(T0.getTime() + 16 * 60_000) });
    expect(future.body.error_code).toBe('APIG.0303');
  });

  it('holds X-WSSE to a 24-hour window (E000110)', async () => {
    const day = 24 * 3600_000;
    const ok = await send(sandbox, form(), {
      auth: 'wsse',
      at: new Date(T0.getTime() - day + 60_000),
    });
    expect(ok.status).toBe(200);
    const stale = await send(sandbox, form(), {
      auth: 'wsse',
      at: new Date(T0.getTime() - day - 1000),
    });
    expect(stale).toMatchObject({ status: 401, body: { code: 'E000110' } });
  });

  it('refuses an X-WSSE nonce used twice within the window (E000101)', async () => {
    expect((await send(sandbox, form(), { auth: 'wsse', nonce: 'once123' })).status).toBe(200);
    const replay = await send(sandbox, form(), { auth: 'wsse', nonce: 'once123' });
    expect(replay).toMatchObject({ status: 401, body: { code: 'E000101' } });
    expect(sandbox.messages.size).toBe(1);
  });

  it('refuses an unknown app key in both schemes', async () => {
    const stranger = { appKey: 'nobody', appSecret: 'x' };
    const aksk = await send(sandbox, form(), { credentials: stranger });
    expect(aksk).toMatchObject({ status: 401, body: { error_code: 'APIG.0303' } });
    expect(aksk.body.error_msg).toContain('app not found, appkey nobody');
    const wsse = await send(sandbox, form(), { auth: 'wsse', credentials: stranger });
    expect(wsse).toMatchObject({ status: 401, body: { code: 'E000102' } });
  });

  it('refuses a wrong secret: APIG.0303 for AK/SK, E000105 for X-WSSE', async () => {
    const wrong = { appKey: LOCAL_APP.appKey, appSecret: 'not-the-secret' };
    expect((await send(sandbox, form(), { credentials: wrong })).body.error_code).toBe('APIG.0303');
    const wsse = await send(sandbox, form(), { auth: 'wsse', credentials: wrong });
    expect(wsse).toMatchObject({ status: 401, body: { code: 'E000105' } });
  });

  it('refuses an AK/SK signature that does not cover host', async () => {
    const body = form();
    const date = formatSdkDate(clock);
    const headers = { 'content-type': FORM, 'x-sdk-date': date };
    const names = ['content-type', 'x-sdk-date'];
    const canonical = canonicalRequest(
      { method: 'POST', path: FORM_PATH, query: '', headers, body },
      names,
    );
    const signature = hmacHex(LOCAL_APP.appSecret, stringToSign(date, canonical));
    const authorization = `SDK-HMAC-SHA256 Access=${LOCAL_APP.appKey}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
    const answer = await send(sandbox, body, {
      auth: 'none',
      headers: { 'X-Sdk-Date': date, Authorization: authorization },
    });
    expect(answer).toMatchObject({ status: 401, body: { error_code: 'APIG.0303' } });
    expect(answer.body.error_msg).toContain('host and x-sdk-date');
  });

  it("maps malformed authentication headers to Huawei's E0000xx codes (HTTP 400)", async () => {
    const wsse = signWsse(LOCAL_APP, clock, 'abc123');
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'E000001'],
      [{ Authorization: 'Basic dXNlcjpwYXNz' }, 'E000008'],
      [
        {
          Authorization: 'WSSE profile="UsernameToken",type="Appkey"',
          'X-WSSE': wsse['X-WSSE'] ?? '',
        },
        'E000002',
      ],
      [{ Authorization: 'WSSE realm="SDP",type="Appkey"' }, 'E000003'],
      [{ Authorization: 'WSSE realm="X",profile="UsernameToken",type="Appkey"' }, 'E000004'],
      [{ Authorization: 'WSSE realm="SDP",profile="Other",type="Appkey"' }, 'E000005'],
      [{ Authorization: 'WSSE realm="SDP",profile="UsernameToken",type="Other"' }, 'E000006'],
      [{ Authorization: 'WSSE realm="SDP",profile="UsernameToken"' }, 'E000007'],
      [{ Authorization: wsse.Authorization ?? '' }, 'E000020'],
      [
        {
          Authorization: wsse.Authorization ?? '',
          'X-WSSE': 'UsernameToken Nonce="a",Created="b",PasswordDigest="c"',
        },
        'E000021',
      ],
      [
        {
          Authorization: wsse.Authorization ?? '',
          'X-WSSE': (wsse['X-WSSE'] ?? '').replace(/Nonce="[^"]*",/, ''),
        },
        'E000022',
      ],
      [
        {
          Authorization: wsse.Authorization ?? '',
          'X-WSSE': (wsse['X-WSSE'] ?? '').replace(/,Created="[^"]*"/, ''),
        },
        'E000023',
      ],
      [
        {
          Authorization: wsse.Authorization ?? '',
          'X-WSSE': (wsse['X-WSSE'] ?? '').replace(/PasswordDigest="[^"]*",/, ''),
        },
        'E000024',
      ],
      [
        {
          Authorization: wsse.Authorization ?? '',
          'X-WSSE': (wsse['X-WSSE'] ?? '').replace(
            /Created="[^"]*"/,
            'Created="2026-03-01 10:00:00"',
          ),
        },
        'E000025',
      ],
    ];
    for (const [headers, code] of cases) {
      const answer = await send(sandbox, form(), { auth: 'none', headers });
      expect({ code, answer }).toEqual({
        code,
        answer: { status: 400, body: { code, description: expect.any(String) } },
      });
    }
  });

  it('checks authentication before anything magic happens', async () => {
    const answer = await send(sandbox, form({ to: '+6590005030' }), { tamper: (b) => `${b}&x=1` });
    expect(answer.status).toBe(401);
  });
});

describe('sandbox routing and capture', () => {
  it('answers 404 APIG.0101 for an unknown path, another method and a trailing slash', async () => {
    const unknown = await send(sandbox, form(), { path: '/sms/batchSendSms/v2' });
    expect(unknown).toMatchObject({ status: 404, body: { error_code: 'APIG.0101' } });
    const get = await send(sandbox, '', { method: 'GET' });
    expect(get).toMatchObject({
      status: 404,
      body: { error_code: 'APIG.0101', error_msg: 'The API does not exist.' },
    });
    const slash = await send(sandbox, form(), { path: `${FORM_PATH}/` });
    expect(slash.status).toBe(404);
  });

  it('captures every request, refused ones included, with the body exactly as sent', async () => {
    const odd = 'to=%2b6591234567&from=isms00000001&templateId=t&templateParas=%5B%22a%22%5D&z=%7e';
    await send(sandbox, odd);
    await send(sandbox, odd, { auth: 'none' });
    await send(sandbox, '', { path: '/nope', method: 'GET', auth: 'none' });
    expect(sandbox.requests.map((r) => [r.method, r.path, r.response?.status])).toEqual([
      ['POST', FORM_PATH, 200],
      ['POST', FORM_PATH, 400],
      ['GET', '/nope', 404],
    ]);
    const [first] = sandbox.requests;
    expect(first?.body).toBe(odd);
    expect(first?.headers['content-type']).toBe(FORM);
    expect(first?.headers.authorization).toMatch(/^SDK-HMAC-SHA256 /);
    expect(first?.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(first?.receivedAt).toEqual(T0);
    expect(first?.response?.body).toMatchObject({ code: '000000' });
  });

  it('keeps connections alive between requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${sandbox.url}/nope`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            reused.push(req.reusedSocket);
            resolve();
          });
        });
        req.on('error', reject);
        req.end();
      });
    }
    agent.destroy();
    expect(reused).toEqual([false, true]);
  });

  it('refuses clients outside the app IP whitelist with 403 E000620', async () => {
    const strict = await startSandbox({ now: () => clock, allowedIps: ['10.0.0.1'] });
    const open = await startSandbox({ now: () => clock, allowedIps: ['127.0.0.1'] });
    try {
      expect(await send(strict, form())).toMatchObject({ status: 403, body: { code: 'E000620' } });
      expect((await send(open, form())).status).toBe(200);
    } finally {
      await Promise.all([strict.close(), open.close()]);
    }
  });

  it('logs one line per request with masked numbers and never the secret', async () => {
    const lines: string[] = [];
    const logged = await startSandbox({ now: () => clock, log: (line) => lines.push(line) });
    try {
      await send(logged, form({ to: '+6591234567,+6598765432' }));
      await send(logged, form(), { auth: 'wsse' });
    } finally {
      await logged.close();
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('+65****4567,+65****5432');
    expect(lines[0]).toContain('200 000000');
    expect(lines.join('\n')).not.toMatch(/91234567|sandbox-app-secret/);
  });
});
