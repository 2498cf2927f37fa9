import { createHash } from 'node:crypto';

/** What SDK-HMAC-SHA256 signs: the request exactly as it travels on the wire. */
export interface WireRequest {
  method: string;
  /** Path as sent, percent-encoded or not (each segment is normalised). */
  path: string;
  /** Raw query string without the leading `?`, or empty. */
  query: string;
  /** Header values by lower-case name; only the signed ones are read. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The exact body bytes (a string is hashed as UTF-8). */
  body: string | Uint8Array;
}

export const AKSK_ALGORITHM = 'SDK-HMAC-SHA256';

/** Percent-encodes everything except RFC 3986 unreserved characters, as Huawei's signer does. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decodeLenient(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Canonical URI: every segment re-encoded, and a trailing `/` added for signing only. */
export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => encodeRfc3986(decodeLenient(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** Canonical query: parameters sorted by name, then by value for repeated names. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [encodeRfc3986(decodeLenient(name)), encodeRfc3986(decodeLenient(value))] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Lower-case hex SHA-256. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Builds the canonical request over exactly the named headers (sorted, lower-cased, values trimmed).
 * Returns undefined names as missing so verifiers can refuse instead of signing an empty value.
 */
export function canonicalRequest(request: WireRequest, signedHeaders: readonly string[]): string {
  const names = [...signedHeaders].map((name) => name.toLowerCase()).sort();
  const headerLines = names.map((name) => `${name}:${(request.headers[name] ?? '').trim()}`);
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    ...headerLines,
    '',
    names.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

/** `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256 of the canonical request>`. */
export function stringToSign(sdkDate: string, canonical: string): string {
  return `${AKSK_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** `X-Sdk-Date` format: UTC `YYYYMMDDTHHMMSSZ`. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
