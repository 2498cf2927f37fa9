import { describe, expect, it } from 'vitest';
import { parseConfig, requireSetting } from '../../shared/config.ts';
import { parseSecret } from '../../shared/secrets.ts';

describe('parseConfig', () => {
  it('applies SPEC defaults', () => {
    expect(parseConfig({ SMS_SECRET_ID: 's' })).toEqual({
      secretId: 's',
      huawei: {
        endpoint: 'https://smsapi.ap-southeast-1.myhuaweicloud.com:443',
        auth: 'aksk',
        wsseDigest: 'hex',
        connectTimeoutMs: 3000,
        timeoutMs: 10000,
      },
      messagesTable: undefined,
      retentionDays: 90,
      batchConcurrency: 8,
      statusCallbackUrl: undefined,
    });
  });

  it('reads every setting and treats blank values as unset', () => {
    const config = parseConfig({
      SMS_SECRET_ID: 's',
      HUAWEI_SMS_ENDPOINT: 'http://127.0.0.1:9000',
      HUAWEI_SMS_AUTH: 'wsse',
      HUAWEI_SMS_WSSE_DIGEST: 'raw',
      HUAWEI_SMS_TIMEOUT_MS: '2500',
      MESSAGES_TABLE: 't',
      STATUS_CALLBACK_URL: '',
    });
    expect(config.huawei).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      auth: 'wsse',
      wsseDigest: 'raw',
      timeoutMs: 2500,
    });
    expect(config.statusCallbackUrl).toBeUndefined();
  });

  it('refuses plain http to anything but this machine, and names every bad variable', () => {
    expect(() =>
      parseConfig({ SMS_SECRET_ID: 's', HUAWEI_SMS_ENDPOINT: 'http://smsapi.example.com' }),
    ).toThrow(/HUAWEI_SMS_ENDPOINT must be an https:\/\/ URL/);
    expect(() =>
      parseConfig({ HUAWEI_SMS_AUTH: 'basic', HUAWEI_SMS_TIMEOUT_MS: '-1', RETENTION_DAYS: 'x' }),
    ).toThrow(/HUAWEI_SMS_AUTH must be one of: aksk, wsse.*HUAWEI_SMS_TIMEOUT_MS.*RETENTION_DAYS/);
  });
});

describe('requireSetting', () => {
  it('names a setting a function needs but does not have', () => {
    expect(() => requireSetting(parseConfig({}).secretId, 'SMS_SECRET_ID')).toThrow(
      'SMS_SECRET_ID is required',
    );
    expect(
      requireSetting(parseConfig({ MESSAGES_TABLE: 't' }).messagesTable, 'MESSAGES_TABLE'),
    ).toBe('t');
  });
});

describe('parseSecret', () => {
  it('accepts the SPEC shape with optional pushing keys', () => {
    expect(
      parseSecret('{"appKey":"k","appSecret":"s","sender":"isms1","pushKeys":{"ak":"sk"}}'),
    ).toEqual({
      appKey: 'k',
      appSecret: 's',
      sender: 'isms1',
      pushKeys: { ak: 'sk' },
    });
  });

  it('names missing fields without ever echoing a value', () => {
    const leak = 'SuperSecretValue123';
    let message = '';
    try {
      parseSecret(JSON.stringify({ appKey: leak, appSecret: 42 }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/appSecret must be a string.*sender/);
    expect(message).not.toContain(leak);
    expect(() => parseSecret('not json')).toThrow('the secret is not JSON');
    expect(() => parseSecret(undefined)).toThrow('the secret has no SecretString');
  });
});
