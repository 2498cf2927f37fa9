import { type SecretLookup, verifyWsse } from '../../shared/huawei/verify.ts';
import type { NonceStore } from '../common/nonces.ts';
import { type Reply, smsError } from './replies.ts';

/** Huawei: `Created` may be up to 24 hours away from the platform's clock. */
export const WSSE_WINDOW_MS = 24 * 3600_000;

export type WsseOutcome = { ok: true; appKey: string } | { ok: false; reply: Reply };

/** `key="value"` pairs of a header, keys as written. */
function attributes(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/([A-Za-z]+)\s*=\s*"([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined && !fields.has(m[1])) fields.set(m[1], m[2]);
  }
  return fields;
}

const headerError = (code: string, description: string): WsseOutcome => ({
  ok: false,
  reply: smsError(400, code, description),
});
const authError = (code: string, description: string): WsseOutcome => ({
  ok: false,
  reply: smsError(401, code, description),
});

/**
 * The header-format checks Huawei reports one code each for (`E000002`..`E000026`, HTTP 400),
 * before the digest itself is verified by the shared `verifyWsse`.
 */
function checkFormat(authorization: string, xWsse: string | undefined): WsseOutcome | undefined {
  const auth = attributes(authorization.trim().slice('WSSE'.length));
  const realm = auth.get('realm');
  const profile = auth.get('profile');
  const type = auth.get('type');
  if (realm === undefined) return headerError('E000002', 'realm not contained in Authorization.');
  if (profile === undefined)
    return headerError('E000003', 'profile not contained in Authorization.');
  if (realm !== 'SDP')
    return headerError('E000004', 'The value of realm in Authorization must be SDP.');
  if (profile !== 'UsernameToken') {
    return headerError('E000005', 'The value of profile in Authorization must be UsernameToken.');
  }
  if (type === undefined) return headerError('E000007', 'type not contained in Authorization.');
  if (type !== 'Appkey')
    return headerError('E000006', 'The value of type in Authorization must be Appkey.');
  if (xWsse === undefined || xWsse.trim() === '') {
    return headerError('E000020', 'X-WSSE not contained in the HTTP header.');
  }
  // E000025/E000026 are guesses: Huawei's table has a "Created format" and a "UsernameToken
  // missing" entry after E000024, but the numbers were not confirmed.
  if (!xWsse.trim().startsWith('UsernameToken')) {
    return headerError('E000026', 'UsernameToken not contained in X-WSSE.');
  }
  const token = attributes(xWsse.trim().slice('UsernameToken'.length));
  if (!token.get('Username')) return headerError('E000021', 'UserName not contained in X-WSSE.');
  if (!token.get('Nonce')) return headerError('E000022', 'Nonce not contained in X-WSSE.');
  const created = token.get('Created');
  if (!created) return headerError('E000023', 'Created not contained in X-WSSE.');
  if (!token.get('PasswordDigest')) {
    return headerError('E000024', 'PasswordDigest not contained in X-WSSE.');
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(created)) {
    return headerError('E000025', 'Created in X-WSSE must be yyyy-MM-ddTHH:mm:ssZ.');
  }
  return undefined;
}

/**
 * Authenticates an X-WSSE request: header format first (Huawei's `E0000xx` codes), then the digest
 * (both Base64 variants accepted), the 24-hour window and a nonce never seen within that window.
 */
export function authenticateWsse(
  headers: Readonly<Record<string, string | undefined>>,
  lookup: SecretLookup,
  nonces: NonceStore,
  now: Date,
): WsseOutcome {
  const authorization = headers.authorization ?? '';
  const formatError = checkFormat(authorization, headers['x-wsse']);
  if (formatError) return formatError;
  const result = verifyWsse(headers, lookup, {
    now,
    maxSkewMs: WSSE_WINDOW_MS,
    variants: ['hex', 'raw'],
  });
  if (!result.ok) {
    switch (result.reason) {
      case 'clock_skew':
        return authError('E000110', 'Created is out of the allowed time range.');
      case 'unknown_key':
        return authError('E000102', 'Invalid app_key.');
      case 'bad_signature':
        return authError('E000105', 'Invalid PasswordDigest.');
      default:
        // What passes the checks above but not the strict shared parser (spacing variants of the
        // Authorization value, a Nonce that is not 1-128 letters/digits): no finer code is known.
        return authError('E000101', `Authentication failed: ${result.message}.`);
    }
  }
  // A replayed token (same Nonce) is refused: Huawei documents fresh nonces but not the code;
  // E000101 "authentication failed" is the closest.
  if (!result.nonce || !nonces.claim(result.accessKey, result.nonce, now)) {
    return authError('E000101', 'Authentication failed: the Nonce has already been used.');
  }
  return { ok: true, appKey: result.accessKey };
}
