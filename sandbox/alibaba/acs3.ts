/**
 * ACS3-HMAC-SHA256, the sandbox's own implementation (independent of `shared/alibaba/`, so each
 * checks the other): the canonical forms a server recomputes from a request as received, and the
 * signature over them. Pure: no clock, no I/O.
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'ACS3-HMAC-SHA256';

/** Lower-case hex SHA-256 of the exact bytes. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * RFC 3986: only `A-Z a-z 0-9 - _ . ~` stay, everything else is UTF-8 `%XY` (upper case).
 * `encodeURIComponent` leaves `!'()*` alone, so they are encoded afterwards.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The parameters of a raw query string, decoded the way a form decoder does (`+` is a space,
 * `%XY` a byte; a malformed escape stays as written), in wire order.
 */
export function decodeQuery(raw: string): Array<[string, string]> {
  return [...new URLSearchParams(raw)];
}

/**
 * Parameters sorted by name (then value, for a repeated name), each `pct(name)=pct(value)`,
 * joined with `&`. A client's wire encoding does not matter: the server decodes and re-encodes.
 */
export function canonicalQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return params
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** `name:trim(value)\n` for each signed name, in the order `SignedHeaders` lists them. */
export function canonicalHeaders(
  headers: Readonly<Record<string, string | undefined>>,
  signed: readonly string[],
): string {
  return signed.map((name) => `${name}:${(headers[name.toLowerCase()] ?? '').trim()}\n`).join('');
}

export interface CanonicalInput {
  method: string;
  /** The path as sent (`/` for the RPC APIs). */
  path: string;
  /** The raw query string as sent, without `?`. */
  query: string;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Lower-case hex SHA-256 of the body actually received. */
  hashedPayload: string;
}

/**
 * `METHOD\n/\nCanonicalQueryString\nCanonicalHeaders\nSignedHeaders\nHashedPayload`; the
 * payload hash is the server's own, so a body or `x-acs-content-sha256` that disagrees with what
 * was signed fails like any other changed byte.
 */
export function canonicalRequest(input: CanonicalInput, signed: readonly string[]): string {
  return [
    input.method,
    input.path === '' ? '/' : input.path,
    canonicalQuery(decodeQuery(input.query)),
    canonicalHeaders(input.headers, signed),
    signed.join(';'),
    input.hashedPayload,
  ].join('\n');
}

/** `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request. */
export function stringToSign(canonical: string): string {
  return `${ALGORITHM}\n${sha256Hex(canonical)}`;
}

/** Lower-case hex HMAC-SHA256 keyed with the raw AccessKey secret. */
export function signature(accessKeySecret: string, toSign: string): string {
  return createHmac('sha256', accessKeySecret).update(toSign).digest('hex');
}

export interface ParsedAuthorization {
  credential: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>`; a space after a comma
 * is tolerated. A string saying what is wrong when it does not parse.
 */
export function parseAuthorization(value: string): ParsedAuthorization | string {
  const m = /^(\S+)\s+(.*)$/.exec(value.trim());
  if (!m?.[1] || m[2] === undefined)
    return 'Authorization has no Credential, SignedHeaders, Signature';
  if (m[1] !== ALGORITHM) return `unsupported signature algorithm ${m[1]} (expected ${ALGORITHM})`;
  const fields = new Map<string, string>();
  for (const part of m[2].split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return `malformed Authorization element "${part.trim()}"`;
    const name = part.slice(0, eq).trim();
    if (fields.has(name)) return `repeated Authorization element ${name}`;
    fields.set(name, part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential') ?? '';
  const signed = fields.get('SignedHeaders') ?? '';
  const sig = fields.get('Signature') ?? '';
  const missing = [
    credential === '' ? 'Credential' : '',
    signed === '' ? 'SignedHeaders' : '',
    sig === '' ? 'Signature' : '',
  ].filter(Boolean);
  if (missing.length > 0) return `Authorization lacks ${missing.join(', ')}`;
  return { credential, signedHeaders: signed.split(';'), signature: sig };
}
