import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalUri,
  formatSdkDate,
  parseSdkDate,
} from '../../shared/huawei/canonical.ts';
import { signAkSk, signWsse, splitUrl, wssePasswordDigest } from '../../shared/huawei/signer.ts';
import { akskVectors, sdkDateToDate, wsseVectors } from '../helpers/vectors.ts';

const credentials = akskVectors.credentials;

describe('SDK-HMAC-SHA256 signer', () => {
  for (const vector of akskVectors.vectors) {
    it(`reproduces Huawei's signer byte for byte: ${vector.id}`, () => {
      const signed = signAkSk(
        { method: vector.method, url: vector.url, headers: vector.headers, body: vector.body },
        credentials,
        sdkDateToDate(vector.xSdkDate),
      );
      expect(signed.canonicalRequest).toBe(vector.canonicalRequest);
      expect(signed.stringToSign).toBe(vector.stringToSign);
      expect(signed.signedHeaders).toBe(vector.signedHeaders);
      expect(signed.headers.Authorization).toBe(vector.authorization);
      expect(signed.headers.Host).toBe(vector.hostHeader);
      expect(signed.headers['X-Sdk-Date']).toBe(vector.xSdkDate);
    });
  }

  it('keeps an explicit default port in the signed and sent Host', () => {
    expect(splitUrl('https://smsapi.example.com:443/sms/batchSendSms/v1').host).toBe(
      'smsapi.example.com:443',
    );
    expect(splitUrl('http://127.0.0.1:8080/a/b?x=1')).toEqual({
      host: '127.0.0.1:8080',
      path: '/a/b',
      query: 'x=1',
    });
  });

  it('signs the bytes of the body, so one changed byte changes the signature', () => {
    const base = { method: 'POST', url: 'https://h/sms/batchSendSms/v1', body: 'a=1' };
    const now = new Date('2025-03-14T09:26:53Z');
    expect(signAkSk(base, credentials, now).signature).not.toBe(
      signAkSk({ ...base, body: 'a=2' }, credentials, now).signature,
    );
  });

  it('encodes path segments and sorts query parameters by name then value', () => {
    expect(canonicalUri('/a b/c')).toBe('/a%20b/c/');
    expect(canonicalUri('/already/')).toBe('/already/');
    expect(canonicalQuery('b=2&a=1&a=0')).toBe('a=0&a=1&b=2');
    expect(canonicalQuery('')).toBe('');
  });

  it('formats and parses X-Sdk-Date', () => {
    const date = new Date('2025-03-14T09:26:53.999Z');
    expect(formatSdkDate(date)).toBe('20250314T092653Z');
    expect(parseSdkDate('20250314T092653Z')?.toISOString()).toBe('2025-03-14T09:26:53.000Z');
    expect(parseSdkDate('2025-03-14T09:26:53Z')).toBeUndefined();
  });
});

describe('X-WSSE signer', () => {
  for (const [index, vector] of wsseVectors.vectors.entries()) {
    it(`reproduces both digest variants of vector ${index + 1}`, () => {
      const creds = { appKey: vector.appKey, appSecret: vector.appSecret };
      const now = new Date(vector.created);
      const hex = signWsse(creds, now, vector.nonce);
      expect(hex.Authorization).toBe(wsseVectors.authorization);
      expect(hex['X-WSSE']).toBe(vector.xWsseHeader.base64_of_lowercase_hex);
      expect(signWsse(creds, now, vector.nonce, 'raw')['X-WSSE']).toBe(
        vector.xWsseHeader.base64_of_raw_digest,
      );
      expect(wssePasswordDigest(vector.nonce, vector.created, vector.appSecret, 'raw')).toBe(
        vector.passwordDigest.base64_of_raw_digest,
      );
    });
  }

  it('refuses a nonce Huawei would refuse', () => {
    expect(() => signWsse(credentials, new Date(), 'not-alnum')).toThrow(/nonce/);
    expect(() => signWsse(credentials, new Date(), 'a'.repeat(129))).toThrow(/nonce/);
  });
});
