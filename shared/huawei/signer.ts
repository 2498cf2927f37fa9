import { createHash, createHmac } from 'node:crypto';
import {
  AKSK_ALGORITHM,
  canonicalRequest,
  formatSdkDate,
  stringToSign,
  type WireRequest,
} from './canonical.ts';

/** An application's AK/SK pair (Application Key / Application Secret). */
export interface AppCredentials {
  appKey: string;
  appSecret: string;
}

/** A request to sign: the URL as it will be sent (authority kept verbatim, e.g. `host:443`). */
export interface SignableRequest {
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body: string | Uint8Array;
}

/** The headers to send, plus the intermediate values (for logs of a signature mismatch and tests). */
export interface AkSkSignature {
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
}

const URL_PARTS = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/;

/**
 * Splits a URL without normalising it: WHATWG `URL` drops a default port, but Huawei signs (and
 * must receive) the authority exactly as written, so `host:443` has to survive.
 */
export function splitUrl(url: string): { host: string; path: string; query: string } {
  const m = URL_PARTS.exec(url);
  if (!m?.[1]) throw new TypeError('expected an absolute http(s) URL');
  return { host: m[1], path: m[2] || '/', query: m[3] ?? '' };
}

/**
 * Signs a request with Huawei APIG `SDK-HMAC-SHA256`. Pure: the clock is a parameter.
 * Every given header is signed, plus `host` and `x-sdk-date`; the returned headers include `Host`,
 * which the transport must send byte for byte.
 */
export function signAkSk(
  request: SignableRequest,
  credentials: AppCredentials,
  now: Date,
): AkSkSignature {
  const { host, path, query } = splitUrl(request.url);
  const sdkDate = formatSdkDate(now);
  const headers: Record<string, string> = { ...request.headers, Host: host, 'X-Sdk-Date': sdkDate };
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  const names = Object.keys(lower).sort();
  const wire: WireRequest = {
    method: request.method,
    path,
    query,
    headers: lower,
    body: request.method.toUpperCase() === 'GET' ? '' : request.body,
  };
  const canonical = canonicalRequest(wire, names);
  const toSign = stringToSign(sdkDate, canonical);
  const signature = hmacHex(credentials.appSecret, toSign);
  const signedHeaders = names.join(';');
  headers.Authorization = `${AKSK_ALGORITHM} Access=${credentials.appKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest: canonical, stringToSign: toSign, signedHeaders, signature };
}

/** Lower-case hex HMAC-SHA256 keyed with the secret's UTF-8 bytes (no key derivation). */
export function hmacHex(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data, 'utf8').digest('hex');
}

/** Which text is Base64-encoded into the X-WSSE PasswordDigest: Huawei's samples disagree. */
export type WsseDigestVariant = 'hex' | 'raw';

export const WSSE_AUTHORIZATION = 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"';

/** `Base64(SHA256(Nonce + Created + AppSecret))`, of the raw digest or of its lower-case hex. */
export function wssePasswordDigest(
  nonce: string,
  created: string,
  appSecret: string,
  variant: WsseDigestVariant,
): string {
  const hash = createHash('sha256').update(nonce + created + appSecret, 'utf8');
  return variant === 'raw'
    ? hash.digest('base64')
    : Buffer.from(hash.digest('hex'), 'utf8').toString('base64');
}

/** X-WSSE `Created`: UTC `yyyy-MM-ddTHH:mm:ssZ`. */
export function formatWsseCreated(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds the two X-WSSE headers. Pure: clock and nonce are parameters. */
export function signWsse(
  credentials: AppCredentials,
  now: Date,
  nonce: string,
  variant: WsseDigestVariant = 'hex',
): Record<string, string> {
  if (!/^[A-Za-z0-9]{1,128}$/.test(nonce))
    throw new TypeError('nonce must be 1-128 letters or digits');
  const created = formatWsseCreated(now);
  const digest = wssePasswordDigest(nonce, created, credentials.appSecret, variant);
  return {
    Authorization: WSSE_AUTHORIZATION,
    'X-WSSE': `UsernameToken Username="${credentials.appKey}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`,
  };
}
