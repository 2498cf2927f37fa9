import { describe, expect, it } from 'vitest';
import {
  appCallbackUrl,
  authenticatePush,
  callbackToken,
  callbackUrl,
  recipientTag,
  requestToken,
} from '../../shared/huawei/callbackAuth.ts';
import type { WireRequest } from '../../shared/huawei/canonical.ts';
import { isoTime, parseHuaweiPush } from '../../shared/huawei/pushes.ts';
import { splitUrl } from '../../shared/huawei/signer.ts';
import { messageIdFor } from '../../shared/messageId.ts';
import { pushVectors, sdkDateToDate } from '../helpers/vectors.ts';

const FORM = 'application/x-www-form-urlencoded';

describe('parseHuaweiPush', () => {
  it("reads a per-message form report (the vector's body)", () => {
    const push = parseHuaweiPush(FORM, pushVectors.vectors[0]?.body ?? '');
    expect(push).toEqual({
      invalid: [],
      inbound: [],
      reports: [
        {
          provider: 'huawei',
          providerMessageId: '2ea20735-f856-4376-afbf-570bd70a46ee_11840135',
          trackingId: '2ea20735-f856-4376-afbf-570bd70a46ee_11840135',
          providerStatus: 'DELIVRD',
          status: 'delivered',
          total: 1,
          sequence: 1,
          updatedAt: '2025-03-14T09:29:58.000Z',
          statusDesc: undefined,
          orgCode: '000',
          source: '2',
          extend: undefined,
          to: undefined,
        },
      ],
    });
  });

  it('reads a JSON batch, keeping valid reports and naming invalid ones', () => {
    const push = parseHuaweiPush(
      'application/json; charset=utf-8',
      JSON.stringify({
        statusReportList: [
          {
            smsMsgId: 'a',
            status: 'DELIVRD',
            total: 2,
            sequence: 2,
            extend: 'ref',
            to: '+6591234567',
          },
          { smsMsgId: 'b' },
          { smsMsgId: 'c', status: 'DELIVRD', total: '1', sequence: '3' },
        ],
      }),
    );

    expect(push.reports.map((r) => [r.providerMessageId, r.sequence, r.total, r.extend])).toEqual([
      ['a', 2, 2, 'ref'],
    ]);
    expect(push.invalid.map((d) => d.path)).toEqual([
      'statusReportList[1].status',
      'statusReportList[2].sequence',
    ]);
  });

  it('names total when total is what is wrong, and refuses a statusReportList that is no list', () => {
    const push = parseHuaweiPush(FORM, 'smsMsgId=a&status=DELIVRD&total=0&sequence=5');
    expect(push.invalid).toEqual([{ path: 'total', message: 'must be between 1 and 255' }]);
    expect(() =>
      parseHuaweiPush('application/json', JSON.stringify({ statusReportList: 'x' })),
    ).toThrow('statusReportList must be an array of reports');
  });

  it('reads an uplink reply', () => {
    const push = parseHuaweiPush(
      FORM,
      'smsMsgId=u1&from=%2B6591234567&to=isms00000001&body=STOP&createTime=2026-11-22T10%3A00%3A00Z',
    );
    expect(push).toEqual({
      reports: [],
      invalid: [],
      inbound: [
        {
          provider: 'huawei',
          providerMessageId: 'u1',
          from: '+6591234567',
          to: 'isms00000001',
          body: 'STOP',
          createdAt: '2026-11-22T10:00:00.000Z',
        },
      ],
    });
  });

  it("reads only Huawei's exact UTC time form; anything else is no time (the receive time stands in)", () => {
    expect(isoTime('2026-11-22T10:00:00Z')).toBe('2026-11-22T10:00:00.000Z');
    for (const odd of [
      '2026-11-31T10:00:00Z',
      '2026-02-30T00:00:00Z',
      'Dec 1 2026',
      '12',
      '2026-11-22T10:00:00',
      '2026-11-22T24:00:00Z',
      '',
    ]) {
      expect(isoTime(odd), odd).toBeUndefined();
    }
  });

  it('refuses bodies it cannot read', () => {
    expect(() => parseHuaweiPush('text/plain', 'x')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(() => parseHuaweiPush('application/json', '{')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});

describe('authenticatePush', () => {
  const vector = pushVectors.vectors[0];
  if (!vector) throw new Error('no push vector');
  const { path, query } = splitUrl(vector.url);
  const headers = Object.fromEntries(
    Object.entries(vector.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const wire: WireRequest = {
    method: 'POST',
    path,
    query,
    headers,
    body: Buffer.from(vector.body),
  };
  const now = sdkDateToDate(vector.requestHeaders['X-Sdk-Date']);
  const secret = {
    appKey: 'k',
    appSecret: 's',
    sender: 'x',
    pushKeys: { old: 'previous-sk', [vector.pushAk]: vector.pushSk },
  };

  it('accepts the vector push signed with any live pushing key', () => {
    expect(authenticatePush(wire, secret, now)).toEqual({ ok: true, by: 'signature' });
  });

  it('refuses a changed body, an unknown key, a stale date, and a token instead of a signature', () => {
    expect(
      authenticatePush(
        { ...wire, body: Buffer.from(vector.body.replace('DELIVRD', 'UNDELIV')) },
        secret,
        now,
      ).ok,
    ).toBe(false);
    expect(authenticatePush(wire, { ...secret, pushKeys: { other: 'x' } }, now).ok).toBe(false);
    expect(authenticatePush(wire, secret, new Date(now.getTime() + 16 * 60_000)).ok).toBe(false);
    const { authorization: _, ...unsigned } = headers;
    const token = callbackToken(secret);
    expect(
      authenticatePush({ ...wire, headers: unsigned, query: `token=${token}` }, secret, now).ok,
    ).toBe(false);
  });

  it('without pushing keys requires the URL token, compared exactly', () => {
    const plain = { appKey: 'k', appSecret: 'app-secret', sender: 'x' };
    const url = appCallbackUrl('https://cb.example.com/report?x=1', plain) ?? '';
    const token = new URL(url).searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(40);
    const bare = { ...wire, headers: {} };
    expect(authenticatePush({ ...bare, query: `x=1&token=${token}` }, plain, now)).toEqual({
      ok: true,
      by: 'app',
    });
    expect(
      authenticatePush({ ...bare, query: `token=${token.slice(0, -1)}A` }, plain, now).ok,
    ).toBe(false);
    expect(authenticatePush({ ...bare, query: 'x=1' }, plain, now)).toEqual({
      ok: false,
      reason: 'callback token missing',
    });
    expect(
      appCallbackUrl('https://cb.example.com/report', { ...plain, callbackToken: 'c'.repeat(32) }),
    ).toBe(`https://cb.example.com/report?token=${'c'.repeat(32)}`);
    expect(appCallbackUrl('https://cb.example.com/report', secret)).toBe(
      'https://cb.example.com/report',
    );
  });

  it("binds a call's URL token to its correlation: good for that call only", () => {
    const plain = { appKey: 'k', appSecret: 'app-secret', sender: 'x' };
    const a = `sr${'a'.repeat(32)}`;
    const b = `sr${'b'.repeat(32)}`;
    const url = new URL(callbackUrl('https://cb.example.com/report', plain, a) ?? '');
    expect(url.searchParams.get('c')).toBe(a);
    const token = url.searchParams.get('token') ?? '';
    expect(token).toBe(requestToken(callbackToken(plain), a));
    const bare = { ...wire, headers: {} };
    expect(authenticatePush({ ...bare, query: url.search.slice(1) }, plain, now)).toEqual({
      ok: true,
      by: 'request',
      correlation: a,
    });
    // Request A's token does not open request B, nor stand in for the application token.
    expect(authenticatePush({ ...bare, query: `c=${b}&token=${token}` }, plain, now).ok).toBe(
      false,
    );
    expect(authenticatePush({ ...bare, query: `token=${token}` }, plain, now).ok).toBe(false);
    // The application token does not stand in for a request's.
    const app = callbackToken(plain);
    expect(authenticatePush({ ...bare, query: `c=${a}&token=${app}` }, plain, now).ok).toBe(false);
    expect(authenticatePush({ ...bare, query: `c=nope&token=${token}` }, plain, now).ok).toBe(
      false,
    );
    // Rotation: a token made with a previous key stays good while it is listed.
    const rotated = { ...plain, callbackToken: 'n'.repeat(32) };
    expect(authenticatePush({ ...bare, query: url.search.slice(1) }, rotated, now).ok).toBe(false);
    expect(
      authenticatePush(
        { ...bare, query: url.search.slice(1) },
        { ...rotated, previousCallbackTokens: [callbackToken(plain)] },
        now,
      ).ok,
    ).toBe(true);
    // With pushing keys the URL carries the correlation only: the signature authenticates.
    expect(callbackUrl('https://cb.example.com/report', secret, a)).toBe(
      `https://cb.example.com/report?c=${a}`,
    );
  });

  it("binds a one-number call's URL to that number with a tag (never the number itself)", () => {
    const plain = { appKey: 'k', appSecret: 'app-secret', sender: 'x' };
    const a = `sr${'a'.repeat(32)}`;
    const one = new URL(callbackUrl('https://cb.example.com/r', plain, a, ['+6591230001']) ?? '');
    const tag = one.searchParams.get('rt') ?? '';
    expect(tag).toBe(recipientTag(callbackToken(plain), a, '+6591230001'));
    expect(tag).toHaveLength(22);
    expect(one.toString()).not.toContain('91230001');
    const bare = { ...wire, headers: {} };
    const verdict = authenticatePush({ ...bare, query: one.search.slice(1) }, plain, now);
    expect(verdict).toMatchObject({ ok: true, by: 'request', correlation: a });
    const onlyFor = verdict.ok ? verdict.onlyFor : undefined;
    expect(onlyFor?.('+6591230001')).toBe(true);
    expect(onlyFor?.('+6591230002')).toBe(false);
    // The token is still checked first: a good tag with a wrong token is refused outright.
    const wrong = new URL(one);
    wrong.searchParams.set('token', requestToken(callbackToken(plain), `sr${'b'.repeat(32)}`));
    expect(authenticatePush({ ...bare, query: wrong.search.slice(1) }, plain, now).ok).toBe(false);
    // Several numbers, or pushing keys: no tag.
    const two = callbackUrl('https://cb.example.com/r', plain, a, ['+6591230001', '+6591230002']);
    expect(new URL(two ?? '').searchParams.has('rt')).toBe(false);
    expect(callbackUrl('https://cb.example.com/r', secret, a, ['+6591230001'])).toBe(
      `https://cb.example.com/r?c=${a}`,
    );
    // Rotation: a tag made with a previous key stays good while it is listed.
    const rotated = {
      ...plain,
      callbackToken: 'n'.repeat(32),
      previousCallbackTokens: [callbackToken(plain)],
    };
    const later = authenticatePush({ ...bare, query: one.search.slice(1) }, rotated, now);
    expect(later.ok && later.onlyFor?.('+6591230001')).toBe(true);
  });
});

describe('messageIdFor', () => {
  it('derives a stable UUID from the provider id', () => {
    const id = messageIdFor('huawei', 'abc_1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageIdFor('huawei', 'abc_1')).toBe(id);
    expect(messageIdFor('huawei', 'abc_2')).not.toBe(id);
    expect(messageIdFor('alibaba', 'abc_1')).not.toBe(id);
  });
});
