import { startHttpSandbox } from '../common/http.ts';
import { NonceStore } from '../common/nonces.ts';
import { ACS3_WINDOW_MS } from './auth.ts';
import type { AlibabaState } from './context.ts';
import { SANDBOX_CREDENTIAL } from './credentials.ts';
import { handle } from './handler.ts';
import { AlibabaIds } from './ids.ts';
import { ReceiptPusher } from './pusher.ts';
import { DEFAULT_HOST, gatewayError } from './replies.ts';
import type {
  AlibabaMessage,
  AlibabaSandbox,
  AlibabaSandboxOptions,
  ReceiptPush,
} from './types.ts';

export {
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_CREDENTIAL,
} from './credentials.ts';
export { MAGIC_NUMBERS, type MagicEffect, type MagicNumber } from './magic.ts';
export { MAX_RECEIPTS_PER_PUSH, RETRY_FACTORS } from './pusher.ts';
export type {
  AlibabaCredential,
  AlibabaMessage,
  AlibabaSandbox,
  AlibabaSandboxOptions,
  ApiVersion,
  CapturedRequest,
  DeliveryOutcome,
  DeliveryResult,
  ReceiptPush,
} from './types.ts';

/** No Dysmsapi request comes near this (1,000 numbers and texts). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/**
 * RPC parameters travel in the query: BatchSendMessageToGlobe's 1,000 numbers and texts make a
 * request line far beyond Node's 16 KiB default.
 */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;
const DEFAULT_SLOW_MS = 3000;
const DEFAULT_DELIVERY_DELAY_MS = 1000;
const DEFAULT_RETRY_UNIT_MS = 200;
const DEFAULT_PUSH_TIMEOUT_MS = 700;
const DEFAULT_BATCH_WINDOW_MS = 200;

function codeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  return String(record.Code ?? record.ResponseCode ?? '');
}

function requestIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as Record<string, unknown>).RequestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Starts a local stand-in for Alibaba Cloud SMS (Dysmsapi 2017-05-25 and 2018-05-01 on one
 * port): ACS3-HMAC-SHA256 checked as Alibaba does, Alibaba's checks, codes and shapes, receipts
 * pushed to `receiptUrl`, query APIs answered from what it sent.
 */
export async function startAlibabaSandbox(
  options: AlibabaSandboxOptions = {},
): Promise<AlibabaSandbox> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const messages = new Map<string, AlibabaMessage>();
  const state: AlibabaState = {
    credentials: new Map(
      (options.credentials ?? [SANDBOX_CREDENTIAL]).map((c) => [c.accessKeyId, c]),
    ),
    nonces: new NonceStore(ACS3_WINDOW_MS),
    fired: new Set(),
    ids: new AlibabaIds(),
    messages,
    slowMs: options.slowMs ?? DEFAULT_SLOW_MS,
  };
  const pushes: ReceiptPush[] = [];
  const pusher = new ReceiptPusher({
    receiptUrl: options.receiptUrl,
    deliveryDelayMs: options.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS,
    retries: options.pushRetries,
    retryUnitMs: options.pushRetryDelayMs ?? DEFAULT_RETRY_UNIT_MS,
    batchWindowMs: options.receiptBatchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
    timeoutMs: options.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS,
    now,
    log,
    pushes,
  });

  const http = await startHttpSandbox({
    host: options.host,
    port: options.port,
    now,
    log,
    latencyMs: options.latencyMs ?? 0,
    maxBodyBytes: MAX_BODY_BYTES,
    maxHeaderBytes: MAX_HEADER_BYTES,
    contentType: 'application/json;charset=utf-8',
    headers: (reply) => {
      const id = requestIdOf(reply.body);
      return id ? { 'x-acs-request-id': id } : {};
    },
    codeOf,
    tooLarge: () =>
      gatewayError(413, 'RequestEntityTooLarge', 'The request body is too large.', DEFAULT_HOST),
    internalError: () =>
      gatewayError(
        500,
        'InternalError',
        'The request processing has failed due to some unknown error.',
        DEFAULT_HOST,
      ),
    handle(request) {
      const handled = handle(request, state, now());
      // Counted from acceptance: a receipt may beat a slow answer, and follows a lost one.
      for (const message of handled.accepted ?? []) pusher.schedule(message);
      return handled;
    },
  });

  return {
    url: http.url,
    port: http.port,
    requests: http.requests,
    messages,
    pushes,
    idle: () => pusher.idle(),
    reset() {
      pusher.reset();
      pushes.length = 0;
      http.requests.length = 0;
      messages.clear();
      state.nonces.clear();
      state.fired.clear();
    },
    close() {
      pusher.close();
      return http.close();
    },
  };
}
