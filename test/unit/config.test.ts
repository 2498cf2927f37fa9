import { describe, expect, it } from 'vitest';
import { parseConfig, requireSetting } from '../../shared/config.ts';
import { huaweiSecretSchema } from '../../shared/huawei/secret.ts';
import { parseRoutes } from '../../shared/routing/routes.ts';
import { parseSecret, secretPart } from '../../shared/secrets.ts';

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
      alibaba: {
        endpoint: 'https://dysmsapi.aliyuncs.com',
        intlEndpoint: 'https://dysmsapi.ap-southeast-1.aliyuncs.com',
        connectTimeoutMs: 3000,
        timeoutMs: 10000,
      },
      routes: undefined,
      recipientLimit: '10/1h',
      allowedCountries: '*',
      messagesTable: undefined,
      retentionDays: 90,
      batchConcurrency: 8,
      statusCallbackUrl: undefined,
      reconcileAfterMs: 15 * 60_000,
      expireAfterMs: 78 * 3_600_000,
      failover: false,
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

describe('SMS_ALLOWED_COUNTRIES', () => {
  it('reads * or a list of ISO 3166 alpha-2 codes', () => {
    expect(parseConfig({ SMS_ALLOWED_COUNTRIES: 'SG, HK,CN' }).allowedCountries).toEqual([
      'SG',
      'HK',
      'CN',
    ]);
    expect(parseConfig({ SMS_ALLOWED_COUNTRIES: '*' }).allowedCountries).toBe('*');
  });

  it.each(['sg', 'SGP', 'SG;HK', 'SG,*'])(
    'refuses %j as a configuration error naming it',
    (value) => {
      expect(() => parseConfig({ SMS_ALLOWED_COUNTRIES: value })).toThrow(/SMS_ALLOWED_COUNTRIES/);
    },
  );
});

describe('SMS_ROUTES', () => {
  it('is kept as set by parseConfig (a bad value must not stop the status callback)', () => {
    expect(parseConfig({ SMS_ROUTES: '86=nope' }).routes).toBe('86=nope');
    expect(parseConfig({ SMS_ROUTES: '' }).routes).toBeUndefined();
  });

  it('parses into rules', () => {
    expect(parseRoutes('+86=alibaba, +852=alibaba,*=huawei')).toEqual([
      { prefix: '+86', provider: 'alibaba' },
      { prefix: '+852', provider: 'alibaba' },
      { prefix: '*', provider: 'huawei' },
    ]);
  });

  it.each(['86=alibaba', '+86', '+86=Ali Baba', '+86=alibaba,+86=huawei', ' , '])(
    'refuses the malformed SMS_ROUTES %j as a configuration error',
    (value) => {
      expect(() => parseRoutes(value)).toThrow(
        expect.objectContaining({ code: 'configuration_invalid' }),
      );
    },
  );
});

describe('parseSecret', () => {
  it('reads the flat Huawei shape as the huawei part, with optional pushing keys', () => {
    const secret = parseSecret(
      '{"appKey":"k","appSecret":"s","sender":"isms1","pushKeys":{"ak":"sk"}}',
    );
    expect(secretPart(secret, 'huawei', huaweiSecretSchema)).toEqual({
      appKey: 'k',
      appSecret: 's',
      sender: 'isms1',
      pushKeys: { ak: 'sk' },
    });
    expect(secretPart(secret, 'alibaba', huaweiSecretSchema)).toBeUndefined();
  });

  it('reads the per-provider shape', () => {
    const secret = parseSecret(
      JSON.stringify({
        huawei: { appKey: 'k', appSecret: 's', sender: 'isms1' },
        alibaba: { accessKeyId: 'id', accessKeySecret: 'sk', receiptToken: 'r'.repeat(32) },
      }),
    );
    expect(Object.keys(secret)).toEqual(['huawei', 'alibaba']);
    expect(secretPart(secret, 'huawei', huaweiSecretSchema)?.sender).toBe('isms1');
  });

  it('names missing fields without ever echoing a value', () => {
    const leak = 'SuperSecretValue123';
    let message = '';
    try {
      secretPart(
        parseSecret(JSON.stringify({ appKey: leak, appSecret: 42 })),
        'huawei',
        huaweiSecretSchema,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/huawei.appSecret must be a string.*sender/);
    expect(message).not.toContain(leak);
    expect(() => parseSecret('not json')).toThrow('the secret is not JSON');
    expect(() => parseSecret(undefined)).toThrow('the secret has no SecretString');
  });

  it('reads a secret once per SecretString and a part once per name, as the first time would', () => {
    const huawei = { appKey: 'k', appSecret: 's', sender: 'isms1' };
    const text = JSON.stringify({ huawei, backup: 42 });
    const secret = parseSecret(text);
    expect(parseSecret(text)).toBe(secret);
    const part = secretPart(secret, 'huawei', huaweiSecretSchema);
    expect(secretPart(secret, 'huawei', huaweiSecretSchema)).toBe(part);
    expect(Object.isFrozen(part)).toBe(true);
    // Another part under the same schema is read on its own: here it is malformed.
    expect(() => secretPart(secret, 'backup', huaweiSecretSchema)).toThrow(/backup/);
    // A rotated secret is another string: read anew.
    const rotated = parseSecret(JSON.stringify({ huawei: { ...huawei, appSecret: 't' } }));
    expect(rotated).not.toBe(secret);
    expect(secretPart(rotated, 'huawei', huaweiSecretSchema)?.appSecret).toBe('t');
  });
});
