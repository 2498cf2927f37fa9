import { describe, expect, it } from 'vitest';
import { LOCAL_APP_SECRET } from '../../sandbox/huawei/apps.ts';
import { logger } from '../../shared/logger.ts';
import { maskPhone } from '../../shared/phone.ts';
import {
  collectSecrets,
  findLeaks,
  isServiceLine,
  muteServiceLogs,
  recordedServiceLines,
} from '../helpers/logScan.ts';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'INFO', message: 'm', service: 'sms-relay', ...fields });

describe('the log scan (test/helpers/logScan.ts)', () => {
  const secrets = collectSecrets(new URL('../..', import.meta.url).pathname);

  it('knows the sandboxes’ credentials, the tests’ secrets and the tokens derived from them', () => {
    expect(secrets).toContain(LOCAL_APP_SECRET);
    expect(secrets).toContain('sandbox-access-key-secret');
    expect(secrets).toContain('push-secret-0123456789');
    expect(secrets).toContain('receipt-token-0123456789abcdef');
    expect(secrets).toContain('TestAppSecret+/=_0123456789');
    // callbackToken(appSecret) of the sandbox application
    expect(secrets.some((s) => /^[A-Za-z0-9_-]{43}$/.test(s))).toBe(true);
    // nothing so short or common that an ordinary line would match it
    expect(secrets.every((s) => s.length >= 8)).toBe(true);
  });

  it.each([
    ['a whole number', line({ to: '+6591234567' }), 'phone number'],
    [
      'a number beside the example of a validation message',
      line({ message: 'must be a valid E.164 number like +6591234567', to: '+6591234567' }),
      'phone number',
    ],
    ['a percent-encoded number', line({ url: 'to=%2B6591234567' }), 'phone number'],
    ['a JSON-escaped number', '{"level":"INFO","to":"\\u002b6591234567"}', 'phone number'],
    ['a 15-digit number', line({ to: '+881612345678901' }), 'phone number'],
    ['a secret', line({ reason: `bad key ${LOCAL_APP_SECRET}` }), 'secret'],
    ['a token in a URL', line({ url: 'https://x/cb?a=1&token=abc' }), 'token'],
    ['a credential field', line({ receiptToken: 'tok' }), 'credential field'],
    ['an appSecret field', line({ secret: { appSecret: 'z' } }), 'credential field'],
    [
      'an Authorization header',
      line({ h: 'SDK-HMAC-SHA256 Access=ak, Signature=00' }),
      'signature',
    ],
  ])('finds %s', (_what, text, kind) => {
    expect(findLeaks(text, secrets).map((f) => f.kind)).toContain(kind);
  });

  it.each([
    ['a masked number', line({ to: maskPhone('+6591234567') })],
    ['a masked short number', line({ to: maskPhone('+6512345') })],
    ['a timestamp and a big count', line({ at: '+275760-09-13T00:00:00.000Z', n: 123456789012 })],
    ['a message id', line({ messageId: '367600b7-cb75-8b63-99c8-bb39f25c8011' })],
    ['an empty token field', line({ token: '' })],
    ['a word like token in a message', line({ message: 'callback token wrong' })],
    [
      'the example number of a validation message',
      line({ details: [{ message: 'must be a valid E.164 number like +6591234567 (+, …)' }] }),
    ],
  ])('passes %s', (_what, text) => {
    expect(findLeaks(text, secrets)).toEqual([]);
  });

  it('records what the service logger writes in this worker (the scan is not vacuous)', () => {
    const unmute = muteServiceLogs();
    const before = recordedServiceLines();
    try {
      logger.info('log scan self-test', { to: maskPhone('+6591234567') });
      logger.warn('log scan self-test (stderr)');
    } finally {
      unmute();
    }
    expect(recordedServiceLines()).toBe(before + 2);
    expect(isServiceLine('{"level":"INFO","message":"x","service":"other"}')).toBe(false);
    expect(isServiceLine('sandbox POST /sms/batchSendSms/v1 200')).toBe(false);
  });
});
