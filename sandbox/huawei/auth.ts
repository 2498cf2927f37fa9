import {
  canonicalRequest,
  formatSdkDate,
  type WireRequest,
} from '../../shared/huawei/canonical.ts';
import {
  parseAkSkAuthorization,
  type SecretLookup,
  verifyAkSk,
} from '../../shared/huawei/verify.ts';
import type { NonceStore } from '../common/nonces.ts';
import { appAuthError, type Reply, smsError } from './replies.ts';
import { authenticateWsse } from './wsse.ts';

/** Huawei: `X-Sdk-Date` may be up to 15 minutes away from the gateway's clock. */
export const AKSK_WINDOW_MS = 15 * 60_000;

/** Headers an AK/SK signature must cover: the date (no replay later) and the host. */
const REQUIRED_SIGNED = ['host', 'x-sdk-date'] as const;

export type AuthOutcome =
  | { ok: true; appKey: string; mode: 'aksk' | 'wsse' }
  | { ok: false; reply: Reply };

export interface AuthContext {
  lookup: SecretLookup;
  nonces: NonceStore;
  now: Date;
}

/** Authenticates a request as received, choosing the scheme by its `Authorization` header. */
export function authenticate(request: WireRequest, context: AuthContext): AuthOutcome {
  const authorization = request.headers.authorization;
  if (authorization === undefined || authorization.trim() === '') {
    return refuse(smsError(400, 'E000001', 'Authorization not contained in the HTTP header.'));
  }
  const scheme = authorization.trimStart();
  if (scheme.startsWith('SDK-HMAC-SHA256')) return authenticateAkSk(request, context);
  if (/^WSSE(\s|$)/.test(scheme)) {
    const result = authenticateWsse(request.headers, context.lookup, context.nonces, context.now);
    return result.ok ? { ok: true, appKey: result.appKey, mode: 'wsse' } : result;
  }
  return refuse(smsError(400, 'E000008', 'WSSE not contained in Authorization.'));
}

/**
 * AK/SK is checked by the API gateway, which answers APIG.0303 for every failure and tells them
 * apart by message (documented texts for unknown app, expired signature and signature mismatch;
 * the texts for a malformed header or an unsigned host are ours).
 */
function authenticateAkSk(request: WireRequest, context: AuthContext): AuthOutcome {
  const result = verifyAkSk(request, context.lookup, {
    now: context.now,
    maxSkewMs: AKSK_WINDOW_MS,
    requireSigned: REQUIRED_SIGNED,
  });
  if (result.ok) return { ok: true, appKey: result.accessKey, mode: 'aksk' };
  switch (result.reason) {
    case 'unknown_key':
      return refuse(appAuthError(`app not found, appkey ${result.accessKey ?? ''}`));
    case 'clock_skew':
      return refuse(
        appAuthError(
          `signature expired, signature time:${request.headers['x-sdk-date'] ?? ''},` +
            `server time:${formatSdkDate(context.now)}`,
        ),
      );
    case 'bad_signature': {
      // Like the gateway, show its own canonical request ('\n' written as '|') so the client can
      // diff it against the one it signed.
      const parsed = parseAkSkAuthorization(request.headers.authorization ?? '');
      const canonical = canonicalRequest(request, parsed?.signedHeaders ?? []);
      return refuse(
        appAuthError(`verify signature fail, canonicalRequest:${canonical.replaceAll('\n', '|')}`),
      );
    }
    case 'unsigned_header':
      return refuse(appAuthError(`SignedHeaders must include ${REQUIRED_SIGNED.join(' and ')}`));
    default:
      return refuse(appAuthError(`Authorization is invalid: ${result.message}`));
  }
}

function refuse(reply: Reply): AuthOutcome {
  return { ok: false, reply };
}
