/**
 * A minimal signed client for the sandbox, for tests, benchmarks and manual trials. It is not the
 * relay's provider module: it exists so checks of the sandbox do not depend on that module.
 */
import {
  type AppCredentials,
  signAkSk,
  signWsse,
  type WsseDigestVariant,
} from '../../shared/huawei/signer.ts';
import { LOCAL_APP, LOCAL_SENDER } from './apps.ts';
import { FORM_PATH, JSON_PATH } from './handler.ts';

export interface SendOptions {
  path?: string;
  method?: string;
  /** Defaults to the route's own type. */
  contentType?: string;
  /** `none` sends only `headers` (to test malformed authentication). Default `aksk`. */
  auth?: 'aksk' | 'wsse' | 'none';
  variant?: WsseDigestVariant;
  nonce?: string;
  /** Signing time; default now. */
  at?: Date;
  credentials?: AppCredentials;
  headers?: Record<string, string>;
  /** Changes the body after signing (a tampered request). */
  tamper?: (body: string) => string;
  signal?: AbortSignal;
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: callers read arbitrary JSON
  body: any;
}

let nonceCounter = 0;

/** Signs (AK/SK or X-WSSE) and POSTs with fetch, which sends `Host` exactly as signed for `http://host:port`. */
export async function sendSigned(
  baseUrl: string,
  body: string,
  options: SendOptions = {},
): Promise<Answer> {
  const path = options.path ?? FORM_PATH;
  const method = options.method ?? 'POST';
  const url = `${baseUrl}${path}`;
  const contentType =
    options.contentType ??
    (path === JSON_PATH ? 'application/json' : 'application/x-www-form-urlencoded');
  const credentials = options.credentials ?? LOCAL_APP;
  const at = options.at ?? new Date();
  let headers: Record<string, string> = { 'Content-Type': contentType };
  if ((options.auth ?? 'aksk') === 'aksk') {
    const signed = signAkSk({ method, url, headers, body }, credentials, at).headers;
    const { Host: _host, ...rest } = signed; // fetch derives Host itself, from the same URL
    headers = rest;
  } else if (options.auth === 'wsse') {
    nonceCounter += 1;
    const nonce = options.nonce ?? `n${nonceCounter}t${Date.now()}`;
    headers = { ...headers, ...signWsse(credentials, at, nonce, options.variant ?? 'hex') };
  }
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...options.headers },
    ...(method === 'GET' || method === 'HEAD'
      ? {}
      : { body: options.tamper ? options.tamper(body) : body }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** A valid `batchSendSms` form body for the local app; `undefined` drops a field. */
export function formBody(fields: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    from: LOCAL_SENDER,
    to: '+6591234567',
    templateId: 'tpl-0001',
    templateParas: '["012345","5"]',
    ...fields,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(all)) if (value !== undefined) params.set(name, value);
  return params.toString();
}

/** A valid `batchSendDiffSms` JSON body with one `smsContent` entry. */
export function jsonBody(
  fields: Record<string, unknown> = {},
  content: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    from: LOCAL_SENDER,
    smsContent: [
      { to: ['+6591234567'], templateId: 'tpl-0001', templateParas: ['012345'], ...content },
    ],
    ...fields,
  });
}
