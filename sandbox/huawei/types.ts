import type { CapturedRequest } from '../common/http.ts';
import type { BasePushAttempt } from '../common/pushQueue.ts';

export type { CapturedRequest };

/** An application as configured in Huawei's console: AK/SK and the channel numbers valid for `from`. */
export interface SandboxApp {
  appKey: string;
  appSecret: string;
  senders: string[];
}

export interface SandboxOptions {
  /** Applications the sandbox knows; default `[LOCAL_APP]`. */
  apps?: SandboxApp[];
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a random free port). */
  port?: number;
  /** The application IP whitelist; undefined allows every address. Others get 403 `E000620`. */
  allowedIps?: string[];
  /** Clock for the authentication windows and `createTime`. */
  now?: () => Date;
  /** Delay of the "slow" magic number; default 3000 ms. */
  slowMs?: number;
  /** Added to every answer, like the network and platform time of the real API; default 0. */
  latencyMs?: number;
  /** One line per request and per push (never a secret, phone numbers masked); default: silent. */
  log?: (line: string) => void;
  /** Signs every push (reports, batches) with Huawei's pushing AK/SK; default: unsigned. */
  pushKey?: PushKey;
  /** The app's batch report URL: reports of messages sent without `statusCallback` go here. */
  reportUrl?: string;
  /** Time from acceptance to an ordinary `DELIVRD` report; default 1000 ms. */
  deliveryDelayMs?: number;
  /** Retries of a push that did not get HTTP 200; default 3. */
  pushRetries?: number;
  /** Wait before the first retry, doubling each time; default 500 ms. */
  pushRetryDelayMs?: number;
  /** Batch reports due within this window go in one push (at most 50 each); default 200 ms. */
  reportBatchWindowMs?: number;
  /** A push attempt without an answer by then fails (and is retried); default 5000 ms. */
  pushTimeoutMs?: number;
}

/** A pushing AK/SK pair (Huawei console: "pushing authentication"). */
export interface PushKey {
  ak: string;
  sk: string;
}

/** One push attempt as sent, with its outcome once known. */
export interface PushAttempt extends BasePushAttempt {
  /** The message ids whose reports the body carries, in body order (repeated for a duplicate). */
  smsMsgIds: string[];
}

/** One accepted recipient: what a status report for it will need later. */
export interface SandboxMessage {
  smsMsgId: string;
  to: string;
  from: string;
  templateId: string;
  templateParas: string[];
  statusCallback?: string;
  extend?: string;
  signature?: string;
  createdAt: Date;
}

export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  port: number;
  requests: CapturedRequest[];
  /** Accepted messages by `smsMsgId`. */
  messages: Map<string, SandboxMessage>;
  /** Every push attempt, in the order they started. */
  pushes: PushAttempt[];
  /** Resolves once no push is scheduled, batched, waiting for a retry or in flight. */
  idle(): Promise<void>;
  /**
   * Forgets requests, messages, pushes, used nonces and the one-shot magic numbers already
   * triggered; cancels scheduled and in-flight pushes.
   */
  reset(): void;
  /** Stops listening, cancels every push and destroys every open connection (held ones included). */
  close(): Promise<void>;
}
