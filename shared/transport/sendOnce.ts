import type { Dispatcher } from 'undici';
import { isTransportError, TransportError } from '../errors.ts';
import type { HttpDispatcher } from './agent.ts';

export { isTransportError, TransportError } from '../errors.ts';

/** A fully prepared HTTP request; `headers` are sent as given (including a signed `Host`). */
export interface HttpRequest {
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SendOnceOptions {
  signal: AbortSignal;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Larger answers are cut off as an error (a provider answer is a few KiB). */
  maxResponseBytes: number;
}

function errorCode(error: unknown): string {
  if (isTransportError(error)) return error.reason;
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return 'UNKNOWN';
}

/**
 * One attempt over an undici dispatcher. Uses the low-level handler API because it is the only one
 * that reports when the request has been completely written (`onRequestSent`).
 */
export function sendOnce(
  dispatcher: HttpDispatcher,
  request: HttpRequest,
  options: SendOnceOptions,
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const { signal } = options;
    let controller: Dispatcher.DispatchController | undefined;
    let sent = false;
    let settled = false;
    let status = 0;
    let headers: HttpResponse['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;

    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (code: string, cause?: unknown) =>
      settle(() => reject(new TransportError(code, sent, cause)));
    function onAbort() {
      // Not yet on a socket (queued or still connecting): nothing was written, answer right away.
      if (controller) controller.abort(signal.reason);
      else fail('DEADLINE_EXCEEDED', signal.reason);
    }
    if (signal.aborted) {
      fail('DEADLINE_EXCEEDED', signal.reason);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctrl) {
        controller = ctrl;
        if (settled || signal.aborted) ctrl.abort(signal.reason);
      },
      onRequestSent() {
        sent = true;
      },
      onResponseStart(_ctrl, statusCode, responseHeaders) {
        sent = true;
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(ctrl, chunk) {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          ctrl.abort(new TransportError('RESPONSE_TOO_LARGE', true));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle(() => resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
      onResponseError(_ctrl, error) {
        const code = signal.aborted ? 'DEADLINE_EXCEEDED' : errorCode(error);
        fail(code, error);
      },
    } as Dispatcher.DispatchHandler & { onRequestSent(): void };

    dispatcher.dispatch(
      {
        origin: request.origin,
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
      },
      handler,
    );
  });
}
