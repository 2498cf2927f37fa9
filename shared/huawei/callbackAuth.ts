import { createHmac } from 'node:crypto';
import type { PushVerdict } from '../ports/push.ts';
import { safeEqual } from '../util/safeEqual.ts';
import type { WireRequest } from './canonical.ts';
import type { HuaweiSecret } from './secret.ts';
import { verifyAkSk } from './verify.ts';

/** Huawei signs pushes the way clients sign requests; same 15-minute window against replays. */
const PUSH_MAX_SKEW_MS = 15 * 60_000;

/** The name of the query parameter that carries the callback token. */
export const TOKEN_PARAMETER = 'token';

/**
 * The unguessable token the callback URL carries when no pushing keys are configured: the secret's
 * own `callbackToken` when it has one (set it to rotate `appSecret` without invalidating reports
 * still on their way), otherwise derived from `appSecret`.
 */
export function callbackToken(secret: Pick<HuaweiSecret, 'appSecret' | 'callbackToken'>): string {
  return (
    secret.callbackToken ??
    createHmac('sha256', secret.appSecret)
      .update('sms-relay/status-callback/v1')
      .digest('base64url')
  );
}

function hasPushKeys(secret: Pick<HuaweiSecret, 'pushKeys'>): boolean {
  return secret.pushKeys !== undefined && Object.keys(secret.pushKeys).length > 0;
}

/**
 * The `statusCallback` URL to give Huawei: as configured when pushes are signed with pushing keys,
 * otherwise with the token appended.
 */
export function callbackUrl(base: string | undefined, secret: HuaweiSecret): string | undefined {
  if (!base || hasPushKeys(secret)) return base;
  const url = new URL(base);
  url.searchParams.set(TOKEN_PARAMETER, callbackToken(secret));
  return url.toString();
}

/**
 * Decides whether a push really comes from Huawei. With pushing keys configured, the AK/SK push
 * signature is required (rebuilt from the raw body, the path and query as received and exactly the
 * headers it names; any live key pair may have signed); otherwise the URL's token is required.
 * Both comparisons are constant-time.
 */
export function authenticatePush(
  request: WireRequest,
  secret: HuaweiSecret,
  now: Date,
): PushVerdict {
  if (hasPushKeys(secret)) {
    const keys = secret.pushKeys ?? {};
    const verdict = verifyAkSk(request, (ak) => (Object.hasOwn(keys, ak) ? keys[ak] : undefined), {
      now,
      maxSkewMs: PUSH_MAX_SKEW_MS,
      requireSigned: ['x-sdk-date'],
    });
    return verdict.ok
      ? { ok: true, by: 'signature' }
      : { ok: false, reason: `push signature: ${verdict.reason}` };
  }
  const supplied = new URLSearchParams(request.query).get(TOKEN_PARAMETER);
  if (supplied === null) return { ok: false, reason: 'callback token missing' };
  return safeEqual(supplied, callbackToken(secret))
    ? { ok: true, by: 'token' }
    : { ok: false, reason: 'callback token wrong' };
}
