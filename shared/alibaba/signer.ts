import { createHmac } from 'node:crypto';
import {
  ACS3_ALGORITHM,
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  formatAcsDate,
  sha256Hex,
  stringToSign,
} from './canonical.ts';

/** Everything one ACS3 signature depends on; clock and nonce are inputs so tests can pin them. */
export interface Acs3Input {
  method: string;
  /** The `host` header exactly as sent (with a port when the endpoint has one). */
  host: string;
  action: string;
  version: string;
  query: Readonly<Record<string, string>>;
  /** Only `SendBatchSms` has one; the hash covers these exact bytes. */
  body?: { contentType: string; bytes: string | Uint8Array } | undefined;
  accessKeyId: string;
  accessKeySecret: string;
  /** STS: adds the signed `x-acs-accesskey-id` and `x-acs-security-token`, as the SDK does. */
  securityToken?: string | undefined;
  date: Date;
  nonce: string;
  /** More headers to sign and send (the SDK's `x-acs-credentials-provider`). */
  extraSignedHeaders?: Readonly<Record<string, string>> | undefined;
}

/** The request to send, and every intermediate value (for known-answer tests and mismatch logs). */
export interface Acs3Signed {
  /** Request target: `/` plus `?` and the canonical query, byte for byte what was signed. */
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  hashedPayload: string;
  canonicalQueryString: string;
  canonicalHeaders: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
}

/** Lower-case hex HMAC-SHA256 keyed with the raw secret's UTF-8 bytes (no `&`, no derivation). */
export function acs3Signature(accessKeySecret: string, toSign: string): string {
  return createHmac('sha256', accessKeySecret).update(toSign, 'utf8').digest('hex');
}

/** Signs an RPC-style request with ACS3-HMAC-SHA256. Pure: no clock, no randomness, no I/O. */
export function signAcs3(input: Acs3Input): Acs3Signed {
  const bytes = input.body?.bytes ?? '';
  const hashedPayload = sha256Hex(bytes);
  const signed: Record<string, string> = {
    host: input.host,
    'x-acs-action': input.action,
    'x-acs-version': input.version,
    'x-acs-date': formatAcsDate(input.date),
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': hashedPayload,
  };
  if (input.body) signed['content-type'] = input.body.contentType;
  if (input.securityToken) {
    signed['x-acs-accesskey-id'] = input.accessKeyId;
    signed['x-acs-security-token'] = input.securityToken;
  }
  for (const [name, value] of Object.entries(input.extraSignedHeaders ?? {})) {
    signed[name.toLowerCase()] = value;
  }
  const query = canonicalQueryString(input.query);
  const headers = canonicalHeaders(signed);
  const canonical = canonicalRequest({
    method: input.method,
    canonicalQueryString: query,
    canonicalHeaders: headers.canonicalHeaders,
    signedHeaders: headers.signedHeaders,
    hashedPayload,
  });
  const toSign = stringToSign(canonical);
  const signature = acs3Signature(input.accessKeySecret, toSign);
  const authorization = `${ACS3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${headers.signedHeaders},Signature=${signature}`;
  return {
    path: query === '' ? '/' : `/?${query}`,
    // `accept` is sent but, like the SDK's, not signed.
    headers: { ...signed, accept: 'application/json', Authorization: authorization },
    body: bytes,
    hashedPayload,
    canonicalQueryString: query,
    canonicalHeaders: headers.canonicalHeaders,
    signedHeaders: headers.signedHeaders,
    canonicalRequest: canonical,
    stringToSign: toSign,
    signature,
    authorization,
  };
}
