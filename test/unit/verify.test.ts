import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../../shared/huawei/canonical.ts';
import { splitUrl } from '../../shared/huawei/signer.ts';
import { verifyAkSk, verifyWsse } from '../../shared/huawei/verify.ts';
import { akskVectors, pushVectors, sdkDateToDate, wsseVectors } from '../helpers/vectors.ts';

function wireFrom(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): WireRequest {
  const { path, query } = splitUrl(url);
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { method, path, query, headers: lower, body };
}

/** Every AK/SK vector as the receiver sees it on the wire. */
const signedRequests = [
  ...akskVectors.vectors.map((v) => ({
    id: v.id,
    secrets: { [akskVectors.credentials.appKey]: akskVectors.credentials.appSecret },
    now: sdkDateToDate(v.xSdkDate),
    wire: wireFrom(
      v.url,
      v.method,
      {
        ...v.headers,
        Host: v.hostHeader,
        'X-Sdk-Date': v.xSdkDate,
        Authorization: v.authorization,
      },
      v.body,
    ),
  })),
  ...pushVectors.vectors.map((v) => ({
    id: v.id,
    secrets: { [v.pushAk]: v.pushSk },
    now: sdkDateToDate(v.requestHeaders['X-Sdk-Date']),
    wire: wireFrom(v.url, v.method, v.requestHeaders, v.body),
  })),
];

/** Flips one byte of a string: the smallest change a verifier must notice. */
function flip(value: string, index: number): string {
  const code = value.charCodeAt(index);
  return (
    value.slice(0, index) +
    String.fromCharCode(code === 0x41 ? 0x42 : 0x41) +
    value.slice(index + 1)
  );
}

describe('AK/SK verification', () => {
  for (const { id, secrets, now, wire } of signedRequests) {
    const lookup = (ak: string) => secrets[ak];
    const options = { now, maxSkewMs: 15 * 60_000 };

    it(`accepts the signature of ${id}`, () => {
      expect(verifyAkSk(wire, lookup, options)).toMatchObject({ ok: true });
    });

    it(`refuses ${id} when any signed byte changes`, () => {
      const mutations: WireRequest[] = [
        { ...wire, method: wire.method === 'POST' ? 'PUT' : 'POST' },
        { ...wire, path: `${wire.path}x` },
        { ...wire, query: wire.query === '' ? 'x=1' : flip(wire.query, 0) },
      ];
      if (wire.body !== '' && typeof wire.body === 'string') {
        for (const index of [0, Math.floor(wire.body.length / 2), wire.body.length - 1]) {
          mutations.push({ ...wire, body: flip(wire.body, index) });
        }
      }
      const auth = wire.headers.authorization ?? '';
      const signedNames = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
      for (const name of signedNames) {
        if (name === 'x-sdk-date') continue; // covered below: a changed date also breaks the signature
        mutations.push({ ...wire, headers: { ...wire.headers, [name]: `${wire.headers[name]}x` } });
      }
      const date = wire.headers['x-sdk-date'] ?? '';
      mutations.push({
        ...wire,
        headers: {
          ...wire.headers,
          'x-sdk-date': date.replace(/\d(?=Z$)/, (d) => String((Number(d) + 1) % 10)),
        },
      });
      mutations.push({
        ...wire,
        headers: { ...wire.headers, authorization: flip(auth, auth.length - 1) },
      });
      for (const mutated of mutations) {
        expect(verifyAkSk(mutated, lookup, options).ok).toBe(false);
      }
    });
  }

  const [first] = signedRequests;
  if (!first) throw new Error('no vectors');
  const lookup = (ak: string) => first.secrets[ak];

  it('refuses a date outside the window, an unknown key and a missing header', () => {
    const late = new Date(first.now.getTime() + 15 * 60_000 + 1000);
    expect(verifyAkSk(first.wire, lookup, { now: late, maxSkewMs: 15 * 60_000 })).toMatchObject({
      ok: false,
      reason: 'clock_skew',
    });
    expect(
      verifyAkSk(first.wire, () => undefined, { now: first.now, maxSkewMs: 60_000 }),
    ).toMatchObject({ ok: false, reason: 'unknown_key' });
    const { authorization: _, ...noAuth } = first.wire.headers;
    expect(
      verifyAkSk({ ...first.wire, headers: noAuth }, lookup, { now: first.now, maxSkewMs: 60_000 }),
    ).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('ignores unsigned headers, which a proxy may add or change', () => {
    const wire = {
      ...first.wire,
      headers: { ...first.wire.headers, 'x-forwarded-for': '10.0.0.1' },
    };
    expect(verifyAkSk(wire, lookup, { now: first.now, maxSkewMs: 60_000 }).ok).toBe(true);
  });

  it('can require headers to be signed', () => {
    expect(
      verifyAkSk(first.wire, lookup, {
        now: first.now,
        maxSkewMs: 60_000,
        requireSigned: ['x-custom'],
      }),
    ).toMatchObject({ ok: false, reason: 'unsigned_header' });
  });
});

describe('X-WSSE verification', () => {
  for (const [index, v] of wsseVectors.vectors.entries()) {
    const lookup = (ak: string) => (ak === v.appKey ? v.appSecret : undefined);
    const now = new Date(v.created);
    const options = { now, maxSkewMs: 24 * 3600_000, variants: ['hex', 'raw'] as const };
    const headers = (xWsse: string) => ({
      authorization: wsseVectors.authorization,
      'x-wsse': xWsse,
    });

    it(`accepts both digest variants of vector ${index + 1} and refuses the upper-case hex`, () => {
      expect(verifyWsse(headers(v.xWsseHeader.base64_of_lowercase_hex), lookup, options).ok).toBe(
        true,
      );
      expect(verifyWsse(headers(v.xWsseHeader.base64_of_raw_digest), lookup, options).ok).toBe(
        true,
      );
      expect(verifyWsse(headers(v.xWsseHeader.base64_of_uppercase_hex), lookup, options).ok).toBe(
        false,
      );
    });

    it(`refuses vector ${index + 1} when a signed field changes or time has passed`, () => {
      const header = v.xWsseHeader.base64_of_lowercase_hex;
      expect(verifyWsse(headers(header.replace(v.nonce, `${v.nonce}0`)), lookup, options).ok).toBe(
        false,
      );
      expect(
        verifyWsse(
          headers(header.replace(/PasswordDigest="./, 'PasswordDigest="A')),
          lookup,
          options,
        ).ok,
      ).toBe(false);
      expect(
        verifyWsse(
          headers(
            header
              .replace(/:(\d\d)Z"/, ':$1Z"')
              .replace(/T(\d\d)/, (_, h) => `T${String((Number(h) + 1) % 24).padStart(2, '0')}`),
          ),
          lookup,
          options,
        ).ok,
      ).toBe(false);
      const tomorrow = new Date(now.getTime() + 24 * 3600_000 + 1000);
      expect(verifyWsse(headers(header), lookup, { ...options, now: tomorrow })).toMatchObject({
        ok: false,
        reason: 'clock_skew',
      });
      expect(verifyWsse(headers(header), lookup, { ...options, variants: ['raw'] }).ok).toBe(false);
    });
  }
});
