import type { PushAnswer, PushReceiver } from '../ports/push.ts';
import { parseHuaweiPush } from './pushes.ts';
import { createPushVerifier } from './pushVerifier.ts';
import type { HuaweiSecret } from './secret.ts';

/** Huawei pushes reports and replies to the callback URL itself. */
export const HUAWEI_PUSH_PATH = '/';

/**
 * Huawei's push endpoint: reports (form or JSON batch) and replies, authenticated by the pushing
 * AK/SK signature or the URL's token (see `callbackAuth.ts`), acknowledged with `200` JSON.
 */
export function createHuaweiReceiver(options: {
  /** Huawei's part of the secret; undefined when it holds none (every push is then refused). */
  secret: (options?: { refresh?: boolean }) => Promise<HuaweiSecret | undefined>;
}): PushReceiver {
  const verify = createPushVerifier(options.secret);
  return {
    provider: 'huawei',
    path: HUAWEI_PUSH_PATH,
    authenticate: (request, now) =>
      // The signature covers the body bytes as sent: never re-serialised.
      verify({ ...request, body: request.body }, now),
    parse: (request) =>
      parseHuaweiPush(request.headers['content-type'], Buffer.from(request.body).toString('utf8')),
    acknowledge: (result): PushAnswer => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    }),
  };
}
