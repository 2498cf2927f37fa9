import { createHmac } from 'node:crypto';
import { isCorrelation } from '../messageId.ts';
import type { PushVerdict } from '../ports/push.ts';
import { safeEqual } from '../util/safeEqual.ts';
import type { WireRequest } from './canonical.ts';
import type { HuaweiSecret } from './secret.ts';
import { verifyAkSk } from './verify.ts';

/** Huawei signs pushes the way clients sign requests; same 15-minute window against replays. */
const PUSH_MAX_SKEW_MS = 15 * 60_000;

/** The name of the query parameter that carries the callback token. */
export const TOKEN_PARAMETER = 'token';
/** The name of the query parameter that carries the call's correlation. */
export const CORRELATION_PARAMETER = 'c';
/** The name of the query parameter that binds a one-recipient call's URL to its number. */
export const RECIPIENT_PARAMETER = 'rt';

type TokenSecret = Pick<HuaweiSecret, 'appSecret' | 'callbackToken'>;

/**
 * The application-level token (the URL configured in Huawei's console, for replies and batch
 * reports): the secret's own `callbackToken` when it has one, otherwise derived from `appSecret`.
 */
export function callbackToken(secret: TokenSecret): string {
  if (secret.callbackToken !== undefined) return secret.callbackToken;
  // Derived once per appSecret (a warm container sees the same one on every push).
  if (lastDerived?.appSecret !== secret.appSecret) {
    lastDerived = {
      appSecret: secret.appSecret,
      token: createHmac('sha256', secret.appSecret)
        .update('sms-relay/status-callback/v1')
        .digest('base64url'),
    };
  }
  return lastDerived.token;
}

/** The last application token derived, and the appSecret it came from. */
let lastDerived: { appSecret: string; token: string } | undefined;

/**
 * The token of one call's callback URL: an HMAC of its correlation under the application token,
 * so it authenticates that call's reports only, and needs nothing stored to check.
 */
export function requestToken(key: string, correlation: string): string {
  return createHmac('sha256', key)
    .update(`sms-relay/request-callback/v1:${correlation}`)
    .digest('base64url');
}

/**
 * The tag that binds the URL of a call with one recipient to that number (132 bits of an HMAC
 * under the application token): a report about that number is the call's own message, told with
 * no lookup; a report about any other number is not. The number itself is never in the URL.
 */
export function recipientTag(key: string, correlation: string, to: string): string {
  return createHmac('sha256', key)
    .update(`sms-relay/recipient-callback/v1:${correlation}:${to}`)
    .digest('base64url')
    .slice(0, 22);
}

function hasPushKeys(secret: Pick<HuaweiSecret, 'pushKeys'>): boolean {
  return secret.pushKeys !== undefined && Object.keys(secret.pushKeys).length > 0;
}

/**
 * The `statusCallback` URL to give Huawei for one call: it carries the call's correlation, so its
 * reports come back with it, and (without pushing keys) that call's own token; a call to exactly
 * one number also carries that number's tag, so its reports are checked without a lookup.
 */
export function callbackUrl(
  base: string | undefined,
  secret: HuaweiSecret,
  correlation: string,
  recipients: readonly string[] = [],
): string | undefined {
  if (!base) return undefined;
  const url = new URL(base);
  url.searchParams.set(CORRELATION_PARAMETER, correlation);
  if (!hasPushKeys(secret)) {
    const key = callbackToken(secret);
    url.searchParams.set(TOKEN_PARAMETER, requestToken(key, correlation));
    const [only] = recipients;
    if (recipients.length === 1 && only !== undefined)
      url.searchParams.set(RECIPIENT_PARAMETER, recipientTag(key, correlation, only));
  }
  return url.toString();
}

/**
 * The application's own callback URL (set in Huawei's console, for replies and batch reports):
 * as configured with pushing keys, otherwise with the application token.
 */
export function appCallbackUrl(base: string | undefined, secret: HuaweiSecret): string | undefined {
  if (!base || hasPushKeys(secret)) return base;
  const url = new URL(base);
  url.searchParams.set(TOKEN_PARAMETER, callbackToken(secret));
  return url.toString();
}

/** Every key a token may have been made with: the current one, then the previous ones. */
function tokenKeys(secret: HuaweiSecret): string[] {
  return [callbackToken(secret), ...(secret.previousCallbackTokens ?? [])];
}

/** True when `supplied` matches one of `expected`, each compared in constant time. */
function matchesAny(supplied: string, expected: readonly string[]): boolean {
  let ok = false;
  // Every candidate is compared: how many there are is no secret, which one matched is.
  for (const candidate of expected) ok = safeEqual(supplied, candidate) || ok;
  return ok;
}

/**
 * Decides whether a push really comes from Huawei, and for what. With pushing keys configured,
 * the AK/SK push signature is required (rebuilt from the raw body, the path and query as received
 * and exactly the headers it names; any live key pair may have signed). Otherwise the URL's token:
 * a URL with a correlation needs that call's token (`by: 'request'`: it vouches for that call's
 * messages only, and a recipient's tag narrows it to that one number); without one, the
 * application token (`by: 'app'`: replies and batch reports).
 * Comparisons are constant-time.
 */
export function authenticatePush(
  request: WireRequest,
  secret: HuaweiSecret,
  now: Date,
): PushVerdict {
  const query = new URLSearchParams(request.query);
  const correlation = query.get(CORRELATION_PARAMETER) ?? undefined;
  if (correlation !== undefined && !isCorrelation(correlation))
    return { ok: false, reason: 'callback correlation malformed' };
  if (hasPushKeys(secret)) {
    const keys = secret.pushKeys ?? {};
    const verdict = verifyAkSk(request, (ak) => (Object.hasOwn(keys, ak) ? keys[ak] : undefined), {
      now,
      maxSkewMs: PUSH_MAX_SKEW_MS,
      requireSigned: ['x-sdk-date'],
    });
    return verdict.ok
      ? { ok: true, by: 'signature', ...(correlation ? { correlation } : {}) }
      : { ok: false, reason: `push signature: ${verdict.reason}` };
  }
  const supplied = query.get(TOKEN_PARAMETER);
  if (supplied === null) return { ok: false, reason: 'callback token missing' };
  const keys = tokenKeys(secret);
  if (correlation !== undefined) {
    if (
      !matchesAny(
        supplied,
        keys.map((key) => requestToken(key, correlation)),
      )
    )
      return { ok: false, reason: 'callback token wrong for this request' };
    const tag = query.get(RECIPIENT_PARAMETER);
    if (tag === null) return { ok: true, by: 'request', correlation };
    return {
      ok: true,
      by: 'request',
      correlation,
      onlyFor: (to) =>
        matchesAny(
          tag,
          keys.map((key) => recipientTag(key, correlation, to)),
        ),
    };
  }
  return matchesAny(supplied, keys)
    ? { ok: true, by: 'app' }
    : { ok: false, reason: 'callback token wrong' };
}
