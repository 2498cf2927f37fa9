import { describe, expect, it } from 'vitest';
import { callbackToken } from '../../shared/huawei/callbackAuth.ts';
import { createPushVerifier } from '../../shared/huawei/pushVerifier.ts';
import type { HuaweiSecret as SmsSecret } from '../../shared/huawei/secret.ts';

const before: SmsSecret = {
  appKey: 'k',
  appSecret: 's',
  sender: 'x',
  callbackToken: 'old-token-0123456789',
};
const after: SmsSecret = { ...before, callbackToken: 'new-token-0123456789' };
const push = (token: string) => ({
  method: 'POST',
  path: '/r',
  query: `token=${token}`,
  headers: {},
  body: '',
});

describe('createPushVerifier', () => {
  it('refetches the secret once when a push fails, so a rotated token is accepted', async () => {
    let current = before;
    const fetched: boolean[] = [];
    const verify = createPushVerifier(async (options) => {
      fetched.push(options?.refresh === true);
      return options?.refresh ? current : before; // the cache still holds the old secret
    });
    current = after;
    expect(await verify(push(callbackToken(after)), new Date())).toEqual({ ok: true, by: 'app' });
    expect(fetched).toEqual([false, true]);
  });

  it('refetches at most once a minute, whatever forged pushes arrive', async () => {
    let clock = 0;
    let refreshes = 0;
    const verify = createPushVerifier(
      async (options) => {
        if (options?.refresh) refreshes += 1;
        return before;
      },
      () => clock,
    );
    for (let i = 0; i < 10; i++) expect((await verify(push('forged'), new Date())).ok).toBe(false);
    expect(refreshes).toBe(1);
    clock += 61_000;
    await verify(push('forged'), new Date());
    expect(refreshes).toBe(2);
  });
});
