import { isTransportError, TransportError } from '../errors.ts';
import type { Deadline } from '../util/deadline.ts';
import type { HttpRequest, HttpResponse } from './sendOnce.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An attempt is not started with less time than this left before the deadline. */
  minAttemptMs: number;
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  minAttemptMs: 1_000,
  random: Math.random,
};

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^retry)). */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  return Math.floor(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

/**
 * A provider answer that says the request was not taken and may be sent again: 429 and 5xx, but
 * not 504, a gateway timeout, after which the platform behind it may have the request.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 504);
}

/**
 * A provider's own reading of an answer its status alone cannot judge (Alibaba throttles with a
 * 400, and says "system error, nothing sent" inside a 200): whether it may be sent again, and
 * after how long. Undefined falls back to the status rule and the `retry-after` header.
 */
export type RetryRule = (
  response: HttpResponse,
) => { retry: boolean; afterMs?: number | undefined } | undefined;

function retryAfterMs(response: HttpResponse): number {
  const value = response.headers['retry-after'];
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface RetryResult {
  response: HttpResponse;
  attempts: number;
}

/**
 * Sends with SPEC's retry rule: only what surely did not reach the provider is sent again (a
 * failure before the request was fully written, `429`, `5xx`, or what the provider's `rule` says
 * of an answer), with capped jittered backoff, and
 * never past the deadline. Anything that failed after the request was written is rethrown as is:
 * its outcome is unknown. `prepare` runs per attempt so each attempt is freshly signed.
 * Returns the last answer (possibly a retryable status when attempts or time ran out).
 */
export async function sendWithRetry(
  prepare: (attempt: number) => Promise<HttpRequest> | HttpRequest,
  send: (request: HttpRequest) => Promise<HttpResponse>,
  deadline: Deadline,
  policy: RetryPolicy,
  rule?: RetryRule,
): Promise<RetryResult> {
  let attempt = 0;
  for (;;) {
    attempt += 1;
    let outcome: { response: HttpResponse } | { error: TransportError };
    try {
      outcome = { response: await send(await prepare(attempt)) };
    } catch (error) {
      if (!isTransportError(error)) throw error;
      if (error.requestSent || error.reason === 'DEADLINE_EXCEEDED') throw error;
      outcome = { error };
    }
    const judged =
      'response' in outcome
        ? (rule?.(outcome.response) ?? { retry: isRetryableStatus(outcome.response.status) })
        : undefined;
    if ('response' in outcome && !judged?.retry) {
      return { response: outcome.response, attempts: attempt };
    }
    const delay = Math.max(
      backoffDelay(attempt - 1, policy),
      'response' in outcome ? (judged?.afterMs ?? retryAfterMs(outcome.response)) : 0,
    );
    const canRetry =
      attempt < policy.maxAttempts && deadline.remainingMs() - delay >= policy.minAttemptMs;
    if (!canRetry) {
      if ('response' in outcome) return { response: outcome.response, attempts: attempt };
      throw outcome.error;
    }
    await sleep(delay, deadline.signal);
    if (deadline.signal.aborted) {
      if ('response' in outcome) return { response: outcome.response, attempts: attempt };
      throw new TransportError('DEADLINE_EXCEEDED', false, outcome.error);
    }
  }
}
