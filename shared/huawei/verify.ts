import { safeEqual } from '../util/safeEqual.ts';
import {
  AKSK_ALGORITHM,
  canonicalRequest,
  parseSdkDate,
  stringToSign,
  type WireRequest,
} from './canonical.ts';
import { hmacHex, type WsseDigestVariant, wssePasswordDigest } from './signer.ts';

/** Why a signature was refused; the receiver maps each reason to its own answer. */
export type VerifyFailureReason =
  | 'missing'
  | 'malformed'
  | 'unknown_key'
  | 'clock_skew'
  | 'unsigned_header'
  | 'bad_signature';

export type VerifyResult =
  | { ok: true; accessKey: string }
  | { ok: false; reason: VerifyFailureReason; message: string; accessKey?: string };

/** Looks up the secret for an access key; undefined when the key is unknown. */
export type SecretLookup = (accessKey: string) => string | undefined;

export interface ParsedAkSkAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

const AKSK_AUTH =
  /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/;

/** Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`. */
export function parseAkSkAuthorization(value: string): ParsedAkSkAuthorization | undefined {
  const m = AKSK_AUTH.exec(value.trim());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { accessKey: m[1], signedHeaders: m[2].toLowerCase().split(';'), signature: m[3] };
}

export interface AkSkVerifyOptions {
  now: Date;
  /** Largest accepted distance between `X-Sdk-Date` and `now` (Huawei: 15 minutes). */
  maxSkewMs: number;
  /** Headers that must be among the signed ones (e.g. `x-sdk-date`, so the date cannot be replayed). */
  requireSigned?: readonly string[];
}

/**
 * Verifies an `SDK-HMAC-SHA256` request as received: the canonical request is rebuilt from the raw
 * body, the path and query as received and exactly the headers named in `SignedHeaders`.
 * `request.headers` must be keyed by lower-case name.
 */
export function verifyAkSk(
  request: WireRequest,
  lookup: SecretLookup,
  options: AkSkVerifyOptions,
): VerifyResult {
  const authorization = request.headers.authorization;
  if (!authorization) return fail('missing', 'Authorization header is missing');
  if (!authorization.trimStart().startsWith(AKSK_ALGORITHM)) {
    return fail('malformed', `Authorization is not ${AKSK_ALGORITHM}`);
  }
  const parsed = parseAkSkAuthorization(authorization);
  if (!parsed) return fail('malformed', 'Authorization header is malformed');
  const { accessKey, signedHeaders, signature } = parsed;
  for (const name of options.requireSigned ?? []) {
    if (!signedHeaders.includes(name))
      return fail('unsigned_header', `${name} must be signed`, accessKey);
  }
  for (const name of signedHeaders) {
    if (request.headers[name] === undefined) {
      return fail('malformed', `signed header ${name} is not present`, accessKey);
    }
  }
  const sdkDate = request.headers['x-sdk-date'];
  const date = sdkDate === undefined ? undefined : parseSdkDate(sdkDate);
  if (!sdkDate || !date) return fail('malformed', 'X-Sdk-Date is missing or malformed', accessKey);
  if (Math.abs(options.now.getTime() - date.getTime()) > options.maxSkewMs) {
    return fail('clock_skew', 'X-Sdk-Date is outside the accepted window', accessKey);
  }
  const secret = lookup(accessKey);
  if (secret === undefined) return fail('unknown_key', 'unknown access key', accessKey);
  const expected = hmacHex(secret, stringToSign(sdkDate, canonicalRequest(request, signedHeaders)));
  if (!safeEqual(expected, signature)) {
    return fail('bad_signature', 'signature does not match', accessKey);
  }
  return { ok: true, accessKey };
}

export interface ParsedWsse {
  username: string;
  passwordDigest: string;
  nonce: string;
  created: string;
}

/** Parses `UsernameToken Username="…",PasswordDigest="…",Nonce="…",Created="…"` (any field order). */
export function parseWsse(value: string): ParsedWsse | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('UsernameToken ')) return undefined;
  const fields = new Map<string, string>();
  for (const m of trimmed.slice('UsernameToken '.length).matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) fields.set(m[1], m[2]);
  }
  const username = fields.get('Username');
  const passwordDigest = fields.get('PasswordDigest');
  const nonce = fields.get('Nonce');
  const created = fields.get('Created');
  if (!username || !passwordDigest || !nonce || !created) return undefined;
  return { username, passwordDigest, nonce, created };
}

export interface WsseVerifyOptions {
  now: Date;
  /** Largest accepted distance between `Created` and `now` (Huawei: 24 hours). */
  maxSkewMs: number;
  /** Digest variants accepted (Huawei's gateway behaviour is undocumented: a sandbox takes both). */
  variants: readonly WsseDigestVariant[];
}

/** Verifies X-WSSE headers (`authorization` and `x-wsse`, lower-case keys). */
export function verifyWsse(
  headers: Readonly<Record<string, string | undefined>>,
  lookup: SecretLookup,
  options: WsseVerifyOptions,
): VerifyResult & { nonce?: string } {
  const authorization = headers.authorization;
  if (!authorization) return fail('missing', 'Authorization header is missing');
  if (
    !/^WSSE\s+realm="SDP",\s*profile="UsernameToken",\s*type="Appkey"$/.test(authorization.trim())
  ) {
    return fail(
      'malformed',
      'Authorization must be WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
    );
  }
  const header = headers['x-wsse'];
  if (!header) return fail('missing', 'X-WSSE header is missing');
  const token = parseWsse(header);
  if (!token) return fail('malformed', 'X-WSSE header is malformed');
  if (!/^[A-Za-z0-9]{1,128}$/.test(token.nonce)) {
    return fail('malformed', 'Nonce must be 1-128 letters or digits', token.username);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(token.created)) {
    return fail('malformed', 'Created must be yyyy-MM-ddTHH:mm:ssZ', token.username);
  }
  const created = new Date(token.created);
  if (
    Number.isNaN(created.getTime()) ||
    Math.abs(options.now.getTime() - created.getTime()) > options.maxSkewMs
  ) {
    return fail('clock_skew', 'Created is outside the accepted window', token.username);
  }
  const secret = lookup(token.username);
  if (secret === undefined) return fail('unknown_key', 'unknown app key', token.username);
  // Compare against every accepted variant, always all of them, so timing says nothing of which matched.
  let matched = false;
  for (const variant of options.variants) {
    const expected = wssePasswordDigest(token.nonce, token.created, secret, variant);
    matched = safeEqual(expected, token.passwordDigest) || matched;
  }
  if (!matched) return fail('bad_signature', 'PasswordDigest does not match', token.username);
  return { ok: true, accessKey: token.username, nonce: token.nonce };
}

function fail(reason: VerifyFailureReason, message: string, accessKey?: string): VerifyResult {
  return accessKey === undefined
    ? { ok: false, reason, message }
    : { ok: false, reason, message, accessKey };
}
