import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formBody as form, jsonBody as json, sendSigned } from '../../sandbox/huawei/client.ts';
import {
  JSON_PATH,
  LOCAL_SENDER,
  type Sandbox,
  startSandbox,
} from '../../sandbox/huawei/server.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sendForm = (fields: Record<string, string | undefined>) =>
  sendSigned(sandbox.url, form(fields));
const sendJson = (body: string) => sendSigned(sandbox.url, body, { path: JSON_PATH });
const numbers = (count: number) =>
  Array.from({ length: count }, (_, i) => `+659${String(1000000 + i).padStart(7, '0')}`);
const statuses = (body: { result: Array<{ status: string }> }) => body.result.map((r) => r.status);

function expectRefused(answer: { status: number; body: unknown }, code = 'E000503') {
  expect(answer).toEqual({ status: 400, body: { code, description: expect.any(String) } });
  expect(sandbox.messages.size).toBe(0);
}

describe('sandbox parameter checks: batchSendSms (form)', () => {
  it('requires the Content-Type of the route', async () => {
    expectRefused(await sendSigned(sandbox.url, form(), { contentType: 'application/json' }));
    expectRefused(
      await sendSigned(sandbox.url, json(), { path: JSON_PATH, contentType: 'text/plain' }),
    );
    const charset = 'application/x-www-form-urlencoded; charset=UTF-8';
    expect((await sendSigned(sandbox.url, form(), { contentType: charset })).status).toBe(200);
  });

  it("requires from, and one of the app's channel numbers", async () => {
    expectRefused(await sendForm({ from: undefined }));
    expectRefused(await sendForm({ from: 'isms99999999' }));
  });

  it('refuses the whole request for a bad character, an empty number, >21 chars or >500 numbers', async () => {
    expectRefused(await sendForm({ to: undefined }));
    expectRefused(await sendForm({ to: '' }));
    expectRefused(await sendForm({ to: '+65 91234567' }));
    expectRefused(await sendForm({ to: '+6591234567;+6598765432' }));
    expectRefused(await sendForm({ to: '+6591234567,' }));
    expectRefused(await sendForm({ to: `+${'1'.repeat(21)}` }));
    expectRefused(await sendForm({ to: numbers(501).join(',') }));
  });

  it('refuses a + that was not percent-encoded: it arrives as a space', async () => {
    const body = form().replace('%2B6591234567', '+6591234567');
    expect(body).toContain('to=+6591234567');
    expectRefused(await sendSigned(sandbox.url, body));
  });

  it('accepts exactly 500 numbers', async () => {
    const answer = await sendForm({ to: numbers(500).join(',') });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toHaveLength(500);
    expect(sandbox.messages.size).toBe(500);
  });

  it('judges a malformed number per recipient and a repeated one as E200041', async () => {
    const answer = await sendForm({ to: '6591234567,+6598765432,+6598765432' });
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe('E000510');
    expect(statuses(answer.body)).toEqual(['E200025', '000000', 'E200041']);
    expect(answer.body.result[0].smsMsgId).toBeUndefined();
    expect(answer.body.result[2].smsMsgId).toBeUndefined();
    expect(sandbox.messages.size).toBe(1);
  });

  it('requires templateId of 1-32 characters', async () => {
    expectRefused(await sendForm({ templateId: undefined }));
    expectRefused(await sendForm({ templateId: 'x'.repeat(33) }));
    expect((await sendForm({ templateId: 'x'.repeat(32) })).status).toBe(200);
  });

  it('answers E000000 for templateParas that are not JSON (bad quoting)', async () => {
    expectRefused(await sendForm({ templateParas: "['012345']" }), 'E000000');
    expectRefused(await sendForm({ templateParas: '012345' }), 'E000000');
  });

  it('refuses templateParas that are not an array of strings', async () => {
    expectRefused(await sendForm({ templateParas: '[12345]' }));
    expectRefused(await sendForm({ templateParas: '{"a":"1"}' }));
    expectRefused(await sendForm({ templateParas: '"012345"' }));
    expect((await sendForm({ templateParas: undefined })).status).toBe(200);
  });

  it('fails every recipient with E200028 when template values break the rules', async () => {
    const bad = ['[""]', '["it\'s"]', '["{x}"]', JSON.stringify(Array(21).fill('a'))];
    for (const templateParas of bad) {
      const answer = await sendForm({ templateParas, to: '+6591234567,+6598765432' });
      expect({ templateParas, code: answer.body.code, statuses: statuses(answer.body) }).toEqual({
        templateParas,
        code: 'E000510',
        statuses: ['E200028', 'E200028'],
      });
    }
    expect((await sendForm({ templateParas: JSON.stringify(Array(20).fill('a')) })).status).toBe(
      200,
    );
    expect(sandbox.messages.size).toBe(1);
  });

  it('requires extend of 1-128 characters without braces', async () => {
    expectRefused(await sendForm({ extend: '' }));
    expectRefused(await sendForm({ extend: 'x'.repeat(129) }));
    expectRefused(await sendForm({ extend: 'a{b' }));
    expectRefused(await sendForm({ extend: 'a}b' }));
    expect((await sendForm({ extend: 'x'.repeat(128) })).status).toBe(200);
  });

  it('requires statusCallback to be an absolute http(s) URL of at most 1024 characters', async () => {
    expectRefused(await sendForm({ statusCallback: '/relative/cb' }));
    expectRefused(await sendForm({ statusCallback: 'ftp://example.com/cb' }));
    expectRefused(await sendForm({ statusCallback: 'https://example.com/a b' }));
    expectRefused(await sendForm({ statusCallback: `https://example.com/${'x'.repeat(1005)}` }));
    expect(
      (await sendForm({ statusCallback: `https://example.com/${'x'.repeat(1004)}` })).status,
    ).toBe(200);
  });

  it("does not take Huawei's sample typo statusCallBack as the callback", async () => {
    const answer = await sendForm({ statusCallBack: 'https://example.com/cb' });
    expect(answer.status).toBe(200);
    const [message] = sandbox.messages.values();
    expect(message).toBeDefined();
    expect(message && 'statusCallback' in message).toBe(false);
  });
});

describe('sandbox parameter checks: batchSendDiffSms (JSON)', () => {
  it('answers E000000 for a body that is not JSON', async () => {
    expectRefused(await sendJson('{"from":'), 'E000000');
  });

  it('refuses a wrong shape', async () => {
    expectRefused(await sendJson('[]'));
    expectRefused(await sendJson(json({ smsContent: [] })));
    expectRefused(await sendJson(json({ smsContent: 'x' })));
    expectRefused(await sendJson(json({ from: 12345678 })));
    expectRefused(await sendJson(json({}, { to: '+6591234567' })));
    expectRefused(await sendJson(json({}, { to: [] })));
    expectRefused(await sendJson(json({}, { to: [6591234567] })));
    expectRefused(await sendJson(json({}, { templateId: undefined })));
  });

  it('refuses a number among templateParas: codes would lose leading zeros', async () => {
    expectRefused(await sendJson(json({}, { templateParas: [123456] })));
    expectRefused(await sendJson(json({}, { templateParas: '["123456"]' })));
  });

  it('holds each smsContent to 500 numbers', async () => {
    expectRefused(await sendJson(json({}, { to: numbers(501) })));
    const body = JSON.stringify({
      from: LOCAL_SENDER,
      smsContent: [
        { to: numbers(500), templateId: 'a' },
        { to: ['+6598765432'], templateId: 'b' },
      ],
    });
    const answer = await sendJson(body);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toHaveLength(501);
  });

  it('applies the extend and statusCallback rules', async () => {
    expectRefused(await sendJson(json({ extend: 'a{b' })));
    expectRefused(await sendJson(json({ statusCallback: 'not a url' })));
    expectRefused(await sendJson(json({ extend: null })));
  });

  it('ignores statusCallBack (capital B) here too', async () => {
    expect((await sendJson(json({ statusCallBack: 'https://example.com/cb' }))).status).toBe(200);
    const [message] = sandbox.messages.values();
    expect(message?.statusCallback).toBeUndefined();
  });
});
