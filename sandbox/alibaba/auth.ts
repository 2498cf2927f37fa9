import { safeEqual } from '../../shared/util/safeEqual.ts';
import type { NonceStore } from '../common/nonces.ts';
import {
  canonicalRequest,
  parseAuthorization,
  sha256Hex,
  signature,
  stringToSign,
} from './acs3.ts';
import { gatewayError, type Reply } from './replies.ts';
import type { AlibabaCredential } from './types.ts';

/** Alibaba: `x-acs-date` may be at most 15 minutes away from the gateway's clock. */
export const ACS3_WINDOW_MS = 15 * 60_000;

/** `yyyy-MM-ddTHH:mm:ssZ`, UTC, no fraction (the documented form). */
const ACS_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Present in every ACS3 request besides `Authorization` and `host`. */
const REQUIRED_HEADERS = ['x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'] as const;

export interface Acs3Request {
  method: string;
  path: string;
  query: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: Uint8Array;
}

export interface AuthContext {
  lookup: (accessKeyId: string) => AlibabaCredential | undefined;
  nonces: NonceStore;
  now: Date;
  /** The request's Host, for `HostId`. */
  host: string;
}

export type AuthOutcome = { ok: true; accessKeyId: string } | { ok: false; reply: Reply };

/** The instant an `x-acs-date` names, or undefined when it is not the documented form. */
export function parseAcsDate(value: string): Date | undefined {
  const m = ACS_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, ...number[]];
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s));
  // Date.UTC rolls 2025-02-30 over to March: a value that does not round-trip is not a date.
  return date.toISOString().slice(0, 19) === value.slice(0, 19) ? date : undefined;
}

/**
 * Verifies ACS3-HMAC-SHA256 the way Alibaba's gateway does: the Authorization format, the pieces
 * every request carries, that `SignedHeaders` covers `host` and every `x-acs-*` header sent, the
 * 15-minute window, the AccessKey, the signature over exactly the headers named (the server's
 * own body hash included), and only then the nonce, so a refused request does not burn it.
 */
export function authenticate(request: Acs3Request, context: AuthContext): AuthOutcome {
  const refuse = (status: number, code: string, message: string): AuthOutcome => ({
    ok: false,
    reply: gatewayError(status, code, message, context.host),
  });
  const incomplete = (detail: string) =>
    refuse(
      400,
      'IncompleteSignature',
      `The request signature does not conform to Aliyun standards. ${detail}`,
    );
  const { headers } = request;

  const authorization = headers.authorization;
  if (authorization === undefined || authorization.trim() === '') {
    return incomplete(
      'The Authorization header is missing (this sandbox verifies ACS3-HMAC-SHA256 only).',
    );
  }
  const parsed = parseAuthorization(authorization);
  if (typeof parsed === 'string') return incomplete(`${parsed}.`);
  for (const name of REQUIRED_HEADERS) {
    if ((headers[name] ?? '').trim() === '') {
      return refuse(
        400,
        'MissingParameter',
        `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
      );
    }
  }
  const signed = new Set(parsed.signedHeaders.map((name) => name.toLowerCase()));
  const unsigned = Object.keys(headers).filter(
    (name) => (name === 'host' || name.startsWith('x-acs-')) && !signed.has(name),
  );
  if (unsigned.length > 0) {
    return incomplete(
      `SignedHeaders must include host and every x-acs-* header sent; not signed: ${unsigned.sort().join(', ')}.`,
    );
  }

  const date = headers['x-acs-date'] ?? '';
  const signedAt = parseAcsDate(date);
  if (!signedAt) {
    return refuse(
      400,
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: x-acs-date must be yyyy-MM-ddTHH:mm:ssZ (UTC), got "${date}".`,
    );
  }
  if (Math.abs(context.now.getTime() - signedAt.getTime()) > ACS3_WINDOW_MS) {
    return refuse(
      400,
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired. x-acs-date ${date}, server time ${context.now.toISOString().slice(0, 19)}Z.`,
    );
  }

  const credential = context.lookup(parsed.credential);
  if (!credential)
    return refuse(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const token = headers['x-acs-security-token'];
  if (credential.securityToken !== undefined && token !== credential.securityToken) {
    return refuse(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'Specified SecurityToken mismatch with the AccessKey.',
    );
  }

  const hashedPayload = sha256Hex(request.body);
  const canonical = canonicalRequest(
    { method: request.method, path: request.path, query: request.query, headers, hashedPayload },
    parsed.signedHeaders,
  );
  const toSign = stringToSign(canonical);
  if (!safeEqual(signature(credential.accessKeySecret, toSign), parsed.signature)) {
    // Alibaba shows its string to sign so a client can compare it with the one it signed; the
    // body hash is the server's own, so a wrong x-acs-content-sha256 ends up here too.
    const hint =
      headers['x-acs-content-sha256'] === hashedPayload
        ? ''
        : ' x-acs-content-sha256 is not the SHA-256 of the body received.';
    return refuse(
      400,
      'SignatureDoesNotMatch',
      `Specified signature does not match our calculation.${hint} server string to sign is:${toSign}`,
    );
  }
  if (
    !context.nonces.claim(
      credential.accessKeyId,
      headers['x-acs-signature-nonce'] ?? '',
      context.now,
    )
  ) {
    return refuse(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  return { ok: true, accessKeyId: credential.accessKeyId };
}
