import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  isProviderError,
  isTransportError,
  ProviderError,
  TransportError,
} from '../errors.ts';
import type { HttpDispatcher } from '../transport/agent.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, sendWithRetry } from '../transport/retry.ts';
import { type HttpRequest, type HttpResponse, sendOnce } from '../transport/sendOnce.ts';
import type { Deadline } from '../util/deadline.ts';
import type { AlibabaRequest } from './builders.ts';
import { formBody } from './canonical.ts';
import { alibabaRetryRule } from './response.ts';
import type { AlibabaCredentialSource, AlibabaCredentials } from './secret.ts';
import { signAcs3 } from './signer.ts';

/** What the provider logs: retries, credential refreshes, and a clock Alibaba refuses. */
export interface AlibabaEvent {
  type: 'retry' | 'credentials_refreshed' | 'clock_skew';
  action: string;
  attempt?: number;
  reason?: string;
}

/** Transport settings shared by sending and the query APIs. */
export interface AlibabaTransportOptions {
  /** 2017-05-25 endpoint [https://dysmsapi.aliyuncs.com]. */
  endpoint?: string | undefined;
  /** 2018-05-01 endpoint [https://dysmsapi.ap-southeast-1.aliyuncs.com]. */
  intlEndpoint?: string | undefined;
  credentials: AlibabaCredentialSource;
  dispatcher: HttpDispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  retry?: RetryPolicy | undefined;
  now?: (() => Date) | undefined;
  /** Default: 32 random hex characters per attempt. */
  nonce?: (() => string) | undefined;
  onEvent?: ((event: AlibabaEvent) => void) | undefined;
}

/** Sends one request (signed afresh per attempt) and hands the answer to `read`. */
export type AlibabaCall = <T>(
  request: AlibabaRequest,
  read: (response: HttpResponse) => T,
  deadline: Deadline,
) => Promise<T>;

/** The 2017-05-25 endpoint (every China region maps to it). */
export const DEFAULT_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
/** The 2018-05-01 endpoint (Singapore). */
export const DEFAULT_INTL_ENDPOINT = 'https://dysmsapi.ap-southeast-1.aliyuncs.com';
const MAX_RESPONSE_BYTES = 1024 * 1024;
const USER_AGENT = 'sms-relay (alibaba; acs3)';

function origin(url: string, name: string): { origin: string; host: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  // Every Dysmsapi call is `POST /`: a path would be signed as `/` and sent elsewhere.
  if (!/^https?:$/.test(parsed.protocol) || parsed.pathname !== '/' || parsed.search !== '') {
    throw new ConfigError(`${name} must be an http(s) origin without a path`);
  }
  return { origin: parsed.origin, host: parsed.host };
}

/**
 * Reads the credentials; a failure (Secrets Manager throttled or down, a malformed secret) happens
 * before anything is written, so it is "surely not sent", never an unknown outcome.
 */
async function readCredentials(
  read: () => Promise<AlibabaCredentials>,
): Promise<AlibabaCredentials> {
  try {
    return await read();
  } catch (error) {
    throw new ProviderError(
      'provider_unavailable',
      'The Alibaba credentials could not be read; nothing was sent',
      { outcome: 'not_sent', providerCode: (error as { code?: string }).code, cause: error },
    );
  }
}

/** Builds the signed, retrying, credential-refreshing call both APIs go through. */
export function createAlibabaCall(options: AlibabaTransportOptions): AlibabaCall {
  const endpoints = {
    '2017-05-25': origin(options.endpoint ?? DEFAULT_ENDPOINT, 'ALIBABA_SMS_ENDPOINT'),
    '2018-05-01': origin(
      options.intlEndpoint ?? DEFAULT_INTL_ENDPOINT,
      'ALIBABA_SMS_INTL_ENDPOINT',
    ),
  };
  const now = options.now ?? (() => new Date());
  const nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;

  function sign(request: AlibabaRequest, credentials: AlibabaCredentials): HttpRequest {
    const target = endpoints[request.version];
    const signed = signAcs3({
      method: 'POST',
      host: target.host,
      action: request.action,
      version: request.version,
      query: request.query,
      body: request.form
        ? { contentType: 'application/x-www-form-urlencoded', bytes: formBody(request.form) }
        : undefined,
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      date: now(),
      nonce: nonce(),
    });
    return {
      origin: target.origin,
      method: 'POST',
      path: signed.path,
      headers: { ...signed.headers, 'user-agent': USER_AGENT },
      body:
        typeof signed.body === 'string' ? signed.body : Buffer.from(signed.body).toString('utf8'),
    };
  }

  return async (request, read, deadline) => {
    // With less than an attempt's time left, a request would likely end "unknown": send none.
    if (deadline.remainingMs() < retry.minAttemptMs) {
      throw toProviderError(new TransportError('DEADLINE_EXCEEDED', false));
    }
    let credentials = await readCredentials(() => options.credentials.get());
    for (let refreshed = false; ; refreshed = true) {
      try {
        const { response } = await sendWithRetry(
          (attempt) => {
            if (attempt > 1) options.onEvent?.({ type: 'retry', action: request.action, attempt });
            return sign(request, credentials);
          },
          (prepared) =>
            sendOnce(options.dispatcher, prepared, {
              signal: deadline.signal,
              headersTimeoutMs: options.headersTimeoutMs,
              bodyTimeoutMs: options.bodyTimeoutMs,
              maxResponseBytes: MAX_RESPONSE_BYTES,
            }),
          deadline,
          retry,
          alibabaRetryRule,
        );
        return read(response);
      } catch (error) {
        if (isProviderError(error) && error.providerCode === 'InvalidTimeStamp.Expired') {
          options.onEvent?.({
            type: 'clock_skew',
            action: request.action,
            reason: error.providerCode,
          });
        }
        // The credentials were refused, so nothing was accepted: after a rotation one more try is safe.
        if (
          isProviderError(error) &&
          error.authFailure &&
          !refreshed &&
          deadline.remainingMs() > retry.minAttemptMs
        ) {
          try {
            credentials = await options.credentials.refresh();
          } catch {
            throw error; // the refusal stands: still nothing sent
          }
          options.onEvent?.({
            type: 'credentials_refreshed',
            action: request.action,
            reason: error.providerCode ?? 'auth',
          });
          continue;
        }
        throw toProviderError(error);
      }
    }
  };
}

/** Transport failures become SPEC errors: unsent ones are `provider_unavailable`, the rest unknown. */
export function toProviderError(error: unknown): unknown {
  if (!isTransportError(error)) return error;
  if (error.requestSent) {
    return new ProviderError(
      'provider_timeout',
      'Alibaba did not answer in time; the messages may or may not have been accepted',
      { outcome: 'unknown', providerCode: error.reason, cause: error },
    );
  }
  return new ProviderError(
    'provider_unavailable',
    `Could not reach Alibaba (${error.reason}); nothing was sent`,
    { outcome: 'not_sent', providerCode: error.reason, cause: error },
  );
}
