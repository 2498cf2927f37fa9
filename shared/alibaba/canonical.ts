import { createHash } from 'node:crypto';

/** The ACS3 algorithm name, first in the string to sign and in `Authorization`. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Lower-case hex SHA-256 of the exact bytes (a string is hashed as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay; `encodeURIComponent` alone leaves
 * `!'()*` raw, the classic cause of `SignatureDoesNotMatch`. Lone surrogates become U+FFFD, as
 * they would in the UTF-8 bytes on the wire, instead of throwing.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value.toWellFormed()).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `pct(name)=pct(value)` sorted by name, joined with `&`; empty for no parameters. */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort(byCodeUnit)
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
}

/** An `application/x-www-form-urlencoded` body, RFC 3986-encoded, in the given order. */
export function formBody(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

/** The headers ACS3 signs: `host`, `content-type` and every `x-acs-*` (names lower-cased). */
export function isSignedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'host' || lower === 'content-type' || lower.startsWith('x-acs-');
}

/** `name:trim(value)\n` per signed header, sorted, and the names joined with `;`. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): {
  canonicalHeaders: string;
  signedHeaders: string;
} {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (isSignedHeader(name)) lower.set(name.toLowerCase(), value.trim());
  }
  const names = [...lower.keys()].sort(byCodeUnit);
  return {
    canonicalHeaders: names.map((name) => `${name}:${lower.get(name)}\n`).join(''),
    signedHeaders: names.join(';'),
  };
}

/** METHOD, `/`, query, headers (ending in a newline, hence the blank line), names, payload hash. */
export function canonicalRequest(parts: {
  method: string;
  canonicalQueryString: string;
  canonicalHeaders: string;
  signedHeaders: string;
  hashedPayload: string;
}): string {
  return [
    parts.method.toUpperCase(),
    '/',
    parts.canonicalQueryString,
    parts.canonicalHeaders,
    parts.signedHeaders,
    parts.hashedPayload,
  ].join('\n');
}

/** `ACS3-HMAC-SHA256\n` + lower-hex SHA-256 of the canonical request. */
export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

/** `x-acs-date`: UTC `yyyy-MM-ddTHH:mm:ssZ`, without the milliseconds Alibaba refuses. */
export function formatAcsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
