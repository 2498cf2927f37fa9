/**
 * A minimal ACS3 client for the Alibaba sandbox, for tests, benchmarks and manual trials. It is
 * not the relay's provider module (`shared/alibaba/`): checks of the sandbox must not depend on it.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import {
  ALGORITHM,
  canonicalHeaders,
  canonicalQuery,
  sha256Hex,
  signature,
  stringToSign,
} from './acs3.ts';
import { SANDBOX_CREDENTIAL } from './credentials.ts';
import type { ApiVersion } from './types.ts';

export interface CallOptions {
  action: string;
  version: ApiVersion | string;
  /** RPC parameters in the query. */
  query?: Record<string, string>;
  /** Parameters in an `application/x-www-form-urlencoded` body (SendBatchSms). */
  form?: Record<string, string>;
  credentials?: { accessKeyId: string; accessKeySecret: string };
  /** Signing time; default now. */
  at?: Date;
  /** Default 32 random hex characters. */
  nonce?: string;
  method?: string;
  /** More headers to send and sign (e.g. `x-acs-security-token`). */
  signedHeaders?: Record<string, string>;
}

/** A request exactly as it will go on the wire. */
export interface Wire {
  method: string;
  path: string;
  /** The query string without `?`: the canonical form that was signed. */
  query: string;
  /** Lower-case names; includes `host` and `authorization`. */
  headers: Record<string, string>;
  body: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: callers read arbitrary JSON
  body: any;
}

/** `yyyy-MM-ddTHH:mm:ssZ`, UTC without milliseconds. */
export function formatAcsDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Signs a call for the sandbox at `baseUrl` (`http://127.0.0.1:<port>`). Pure but for the nonce default. */
export function signCall(baseUrl: string, options: CallOptions): Wire {
  const host = new URL(baseUrl).host;
  const credentials = options.credentials ?? SANDBOX_CREDENTIAL;
  const body = options.form ? new URLSearchParams(options.form).toString() : '';
  const query = canonicalQuery(Object.entries(options.query ?? {}));
  const headers: Record<string, string> = {
    host,
    'x-acs-action': options.action,
    'x-acs-version': options.version,
    'x-acs-date': formatAcsDate(options.at ?? new Date()),
    'x-acs-signature-nonce': options.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': sha256Hex(body),
    ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
  };
  for (const [name, value] of Object.entries(options.signedHeaders ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  const signed = Object.keys(headers).sort();
  const method = options.method ?? 'POST';
  const canonical = [
    method,
    '/',
    query,
    canonicalHeaders(headers, signed),
    signed.join(';'),
    sha256Hex(body),
  ].join('\n');
  const sig = signature(credentials.accessKeySecret, stringToSign(canonical));
  headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${sig}`;
  return { method, path: '/', query, headers, body };
}

/** Sends a wire request byte for byte (its own Host included) to the sandbox at `baseUrl`. */
export function sendWire(
  baseUrl: string,
  wire: Wire,
  options: { signal?: AbortSignal } = {},
): Promise<Answer> {
  const target = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: wire.method,
        path: wire.query === '' ? wire.path : `${wire.path}?${wire.query}`,
        setHost: false,
        headers: { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? undefined : JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(wire.body);
  });
}

/** Signs and sends one call. */
export function call(
  baseUrl: string,
  options: CallOptions,
  send: { signal?: AbortSignal } = {},
): Promise<Answer> {
  return sendWire(baseUrl, signCall(baseUrl, options), send);
}
