import { startHttpSandbox } from '../common/http.ts';
import { NonceStore } from '../common/nonces.ts';
import { MessageIds } from './accept.ts';
import { LOCAL_APP } from './apps.ts';
import { handle, type SandboxState } from './handler.ts';
import { Pusher } from './pusher.ts';
import { gatewayError, newRequestId, systemError } from './replies.ts';
import type { PushAttempt, Sandbox, SandboxMessage, SandboxOptions } from './types.ts';
import { WSSE_WINDOW_MS } from './wsse.ts';

export { LOCAL_APP, LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from './apps.ts';
export { FORM_PATH, JSON_PATH } from './handler.ts';
export { type DeliveryOutcome, MAGIC_NUMBERS, type MagicNumber } from './magic.ts';
export { MAX_BATCH } from './pusher.ts';
export type {
  CapturedRequest,
  PushAttempt,
  PushKey,
  Sandbox,
  SandboxApp,
  SandboxMessage,
  SandboxOptions,
} from './types.ts';
export { pushUplink, type UplinkOptions, type UplinkResult } from './uplink.ts';

/** APIG refuses bodies over 12 MB. */
const MAX_BODY_BYTES = 12 * 1024 * 1024;
const DEFAULT_SLOW_MS = 3000;
const DEFAULT_DELIVERY_DELAY_MS = 1000;
const DEFAULT_PUSH_RETRIES = 3;
const DEFAULT_PUSH_RETRY_DELAY_MS = 500;
const DEFAULT_BATCH_WINDOW_MS = 200;
const DEFAULT_PUSH_TIMEOUT_MS = 5000;

function codeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  return String(record.code ?? record.error_code ?? '');
}

/** Starts a local stand-in for Huawei's SMS API (AK/SK and X-WSSE, Huawei's checks and codes). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const messages = new Map<string, SandboxMessage>();
  const state: SandboxState = {
    apps: new Map((options.apps ?? [LOCAL_APP]).map((app) => [app.appKey, app])),
    allowedIps: options.allowedIps ? new Set(options.allowedIps) : undefined,
    nonces: new NonceStore(WSSE_WINDOW_MS),
    fired: new Set(),
    ids: new MessageIds(),
    messages,
    slowMs: options.slowMs ?? DEFAULT_SLOW_MS,
  };
  const pushes: PushAttempt[] = [];
  const pusher = new Pusher({
    pushKey: options.pushKey,
    reportUrl: options.reportUrl,
    deliveryDelayMs: options.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS,
    retries: options.pushRetries ?? DEFAULT_PUSH_RETRIES,
    retryDelayMs: options.pushRetryDelayMs ?? DEFAULT_PUSH_RETRY_DELAY_MS,
    batchWindowMs: options.reportBatchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
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
    contentType: 'application/json;charset=UTF-8',
    headers: () => ({ 'X-Request-Id': newRequestId() }),
    codeOf,
    tooLarge: () => gatewayError(413, 'APIG.0201', 'Request entity too large'),
    internalError: () => systemError(500),
    handle(request) {
      const { method, path, query, headers, bytes, remoteAddress } = request;
      const handled = handle(
        { method, path, query, headers, body: bytes, remoteAddress },
        state,
        now(),
      );
      // Counted from acceptance, as Huawei's are: a report may beat a slow answer.
      for (const message of handled.accepted ?? []) pusher.schedule(message);
      return {
        outcome: handled.outcome,
        ...(handled.appKey ? { tags: [`app=${handled.appKey}`] } : {}),
        ...(handled.recipients ? { recipients: handled.recipients } : {}),
      };
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
