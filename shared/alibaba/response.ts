import { ProviderError } from '../errors.ts';
import type { RetryRule } from '../transport/retry.ts';
import type { HttpResponse } from '../transport/sendOnce.ts';
import { alibabaCode, bareCode } from './codes.ts';
import { redactDigits } from './numbers.ts';

/** The two API versions: 2017-05-25 (Chinese mainland) and 2018-05-01 (international). */
export type ApiVersion = '2017-05-25' | '2018-05-01';

/** What an answer says for the recipients of its request, when it does not fail it as a whole. */
export type Answer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; error: { code: string; message: string } };

/** The JSON object of an answer, or undefined when it is not one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Code and text of either layer: `Code`/`Message` (2017, gateway), `ResponseCode` (2018). */
export function codeOf(
  body: Record<string, unknown> | undefined,
  version?: ApiVersion,
): { code?: string; text?: string } {
  if (!body) return {};
  const codes =
    version === '2018-05-01' ? [body.ResponseCode, body.Code] : [body.Code, body.ResponseCode];
  const texts = [body.Message, body.ResponseDescription];
  const code = codes.find((value) => typeof value === 'string' && value !== '');
  const text = texts.find((value) => typeof value === 'string' && value !== '');
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof text === 'string' ? { text: redactDigits(text) } : {}),
  };
}

/** `x-acs-retry-after`, in milliseconds as Alibaba's own SDKs read it; undefined when absent. */
function acsRetryAfterMs(response: HttpResponse): number | undefined {
  const value = response.headers['x-acs-retry-after'];
  const ms = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * The retry rule for `sendWithRetry`: `Throttling.*` and `ServiceUnavailable` (whatever the
 * status) and `isp.SYSTEM_ERROR`/`isp.GATEWAY_ERROR` (inside a 200) sent nothing: retried. Any
 * other known code is final; unknown ones fall back to the status rule.
 */
export const alibabaRetryRule: RetryRule = (response) => {
  if (response.status === 504) return { retry: false };
  const { code } = codeOf(jsonObject(response.body));
  const entry = code === undefined ? undefined : alibabaCode(code);
  if (!entry) return undefined;
  if (entry.class !== 'transient') return { retry: false };
  return { retry: true, afterMs: acsRetryAfterMs(response) };
};

/** A whole-request failure from the HTTP status alone (no code this table knows). */
function statusError(status: number, code?: string, text?: string): ProviderError {
  const what = code ? `${code}, HTTP ${status}` : `HTTP ${status}`;
  const options = {
    ...(code ? { providerCode: code } : {}),
    ...(text ? { providerMessage: text } : {}),
    outcome: 'not_sent' as const,
  };
  if (status === 429 || status >= 500) {
    return new ProviderError('provider_unavailable', `Alibaba is unavailable (${what})`, options);
  }
  if (status === 404) {
    return new ProviderError(
      'provider_rejected',
      `Alibaba has no such API at this address (${what}): check ALIBABA_SMS_ENDPOINT / ALIBABA_SMS_INTL_ENDPOINT`,
      options,
    );
  }
  return new ProviderError('provider_rejected', `Alibaba refused the request (${what})`, {
    ...options,
    authFailure: status === 401,
  });
}

/**
 * Reads an answer of either layer. A business error inside a 200 is never "accepted": recipient
 * and flow-control codes come back as a rejection for the request's recipients; account, clock
 * and transient codes, and any non-2xx, throw a ProviderError; a 2xx that cannot be read, or a
 * gateway timeout, throws one whose outcome is unknown.
 */
export function readAnswer(response: HttpResponse, version: ApiVersion): Answer {
  const body = jsonObject(response.body);
  const { code, text } = codeOf(body, version);
  const success = response.status >= 200 && response.status < 300;
  const log = {
    ...(code ? { providerCode: code } : {}),
    ...(text ? { providerMessage: text } : {}),
  };
  if (response.status === 504) {
    return unknown(`Alibaba's gateway timed out (HTTP 504)`, log);
  }
  if (success && body && code === 'OK') return { ok: true, body };
  if (code === undefined) {
    if (success)
      return unknown(
        `Alibaba answered HTTP ${response.status} in a form this service cannot read`,
        log,
      );
    throw statusError(response.status, code, text);
  }
  const entry = alibabaCode(code);
  // Unknown business codes refuse the recipients: nothing was accepted, so that is safe.
  if (!entry) {
    if (success) return rejected(code, `Alibaba refused it (${code})`);
    throw statusError(response.status, code, text);
  }
  const what = `${code}: ${entry.meaning}`;
  switch (entry.class) {
    case 'throttle':
      return {
        ok: false,
        error: {
          code: 'rate_limited',
          message: `Alibaba's flow control refused this number (${code})`,
        },
      };
    case 'recipient':
      return rejected(code, `Alibaba refused it (${what})`);
    case 'transient':
      // Throttling after the retries is the API's own rate limit, as Huawei's 429 is: 429.
      if (bareCode(code).startsWith('Throttling')) {
        throw new ProviderError(
          'rate_limited',
          `Alibaba is throttling requests (${what}); nothing was sent`,
          log,
        );
      }
      throw new ProviderError(
        'provider_unavailable',
        `Alibaba is unavailable (${what}); nothing was sent`,
        log,
      );
    case 'clock':
      throw new ProviderError(
        'provider_rejected',
        `Alibaba refused the request time (${what}): check this system's clock`,
        log,
      );
    case 'account':
      throw new ProviderError('provider_rejected', `Alibaba refused the request (${what})`, {
        ...log,
        authFailure: entry.auth === true,
      });
    default:
      // `OK` outside a 2xx: not a form Alibaba documents.
      throw statusError(response.status, code, text);
  }
}

function rejected(code: string, message: string): Answer {
  return { ok: false, error: { code, message } };
}

function unknown(why: string, log: { providerCode?: string; providerMessage?: string }): never {
  throw new ProviderError('provider_timeout', `${why}; the messages may have been accepted`, {
    ...log,
    outcome: 'unknown',
  });
}
