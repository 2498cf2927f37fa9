import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formBody as form, jsonBody as json, sendSigned } from '../../sandbox/huawei/client.ts';
import {
  JSON_PATH,
  MAGIC_NUMBERS,
  type Sandbox,
  startSandbox,
} from '../../sandbox/huawei/server.ts';

const SLOW_MS = 200;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ slowMs: SLOW_MS });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sendTo = (to: string, signal?: AbortSignal) =>
  sendSigned(sandbox.url, form({ to }), signal ? { signal } : {});

describe('sandbox magic numbers', () => {
  it('uses only valid Singapore mobile numbers, each described', () => {
    for (const magic of MAGIC_NUMBERS) {
      expect(isValidPhoneNumber(magic.number, 'SG'), magic.number).toBe(true);
      expect(magic.description.length).toBeGreaterThan(10);
    }
    expect(new Set(MAGIC_NUMBERS.map((m) => m.number)).size).toBe(MAGIC_NUMBERS.length);
  });

  it('refuses the per-recipient magic numbers and accepts the rest (E000510)', async () => {
    const answer = await sendTo('+6591234567,+6590000041,+6590000015,+6590000028,+6598765432');
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe('E000510');
    const result: Array<{ status: string; smsMsgId?: string }> = answer.body.result;
    expect(result.map((r) => r.status)).toEqual([
      '000000',
      'E200041',
      'E200015',
      'E200028',
      '000000',
    ]);
    expect(result.map((r) => r.smsMsgId !== undefined)).toEqual([true, false, false, false, true]);
    expect([...sandbox.messages.values()].map((m) => m.to)).toEqual(['+6591234567', '+6598765432']);
  });

  it('answers 503 every time for +6590005030, in either route', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await sendTo('+6591234567,+6590005030');
      expect(answer).toMatchObject({ status: 503, body: { error_code: 'APIG.0202' } });
    }
    const viaJson = await sendSigned(sandbox.url, json({}, { to: ['+6590005030'] }), {
      path: JSON_PATH,
    });
    expect(viaJson.status).toBe(503);
    expect(sandbox.messages.size).toBe(0);
  });

  it('answers 503 once for +6590005031, then accepts, and again after reset()', async () => {
    expect((await sendTo('+6590005031')).status).toBe(503);
    expect((await sendTo('+6590005031')).body.code).toBe('000000');
    sandbox.reset();
    expect((await sendTo('+6590005031')).status).toBe(503);
  });

  it('answers 429 APIG.0308 every time for +6590004290 and once for +6590004291', async () => {
    expect((await sendTo('+6590004290')).body.error_code).toBe('APIG.0308');
    expect((await sendTo('+6590004290')).status).toBe(429);
    expect((await sendTo('+6590004291')).status).toBe(429);
    expect((await sendTo('+6590004291')).status).toBe(200);
  });

  it('answers 500 E000000 for +6590000500 and 403 E000620 for +6590000620', async () => {
    expect(await sendTo('+6590000500')).toEqual({
      status: 500,
      body: { code: 'E000000', description: 'System error.' },
    });
    expect(await sendTo('+6590000620')).toMatchObject({ status: 403, body: { code: 'E000620' } });
  });

  it('applies the priority: hang, reset, 503, 429, 500, 620', async () => {
    expect((await sendTo('+6590000620,+6590000500')).status).toBe(500);
    expect((await sendTo('+6590000500,+6590004290')).status).toBe(429);
    expect((await sendTo('+6590004290,+6590005030')).status).toBe(503);
    await expect(sendTo('+6590005030,+6590000888')).rejects.toThrow();
  });

  it('finds magic numbers anywhere in the request, not only in to', async () => {
    expect((await sendSigned(sandbox.url, form({ extend: 'x+6590005030' }))).status).toBe(503);
  });

  it('answers slowly for +6590000998', async () => {
    const started = performance.now();
    const answer = await sendTo('+6590000998');
    expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 10);
    expect(answer.body.code).toBe('000000');
  });

  it('resets the connection for +6590000888 after reading the request', async () => {
    await expect(sendTo('+6590000888')).rejects.toThrow();
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]?.response).toBeUndefined();
    expect(sandbox.messages.size).toBe(0);
  });

  it('never answers +6590000999, and close() still returns at once', async () => {
    const held = await startSandbox();
    const pending = sendSigned(held.url, form({ to: '+6590000999' }));
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    const abandoned = sendTo('+6590000999', AbortSignal.timeout(300));
    await expect(abandoned).rejects.toThrow();
    while (held.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(held.requests[0]?.response).toBeUndefined();
    const started = performance.now();
    await held.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await outcome).toBe('failed');
  });
});
