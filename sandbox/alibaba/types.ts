import type { CapturedRequest } from '../common/http.ts';
import type { BasePushAttempt } from '../common/pushQueue.ts';

export type { CapturedRequest };

/** An AccessKey pair the sandbox accepts (RAM console: AccessKey ID and secret). */
export interface AlibabaCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests signed with this key must carry it as `x-acs-security-token` (STS). */
  securityToken?: string;
}

export type ApiVersion = '2017-05-25' | '2018-05-01';

/** What happens to an accepted message after the delivery delay (`delivered` is the default). */
export type DeliveryOutcome = 'delivered' | 'undelivered' | 'expired' | 'duplicate' | 'never';

export interface AlibabaSandboxOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a random free port). */
  port?: number;
  /** AccessKeys the sandbox knows; default the built-in `sandbox-access-key-id` pair. */
  credentials?: AlibabaCredential[];
  /** Clock for the signature window, send times and receipt times. */
  now?: () => Date;
  /**
   * Where receipts are pushed (both formats; it may carry a query such as `?token=...`, kept
   * byte for byte and never logged). Without one, no receipt is pushed.
   */
  receiptUrl?: string;
  /** Time from acceptance to the delivery outcome (and its receipt); default 1000 ms. */
  deliveryDelayMs?: number;
  /**
   * Retries of a receipt push that was not acknowledged; default 3 for mainland receipts and 2 for
   * international ones, like Alibaba's.
   */
  pushRetries?: number;
  /**
   * Stand-in for Alibaba's one minute: retries wait 1, 5 and 10 times this (Alibaba: 1, 5 and 10
   * minutes); default 200 ms.
   */
  pushRetryDelayMs?: number;
  /** A push without an answer by then fails and is retried; default 700 ms, like Alibaba's. */
  pushTimeoutMs?: number;
  /** Receipts due within this window go in one push (at most 100 each); default 200 ms. */
  receiptBatchWindowMs?: number;
  /** Added to every answer, like the network and platform time of the real API; default 0. */
  latencyMs?: number;
  /** Delay of the "slow" magic numbers; default 3000 ms. */
  slowMs?: number;
  /** One line per request and per push (numbers masked, never a secret or token); default silent. */
  log?: (line: string) => void;
}

/** The final state of a message, known once the delivery delay has passed. */
export interface DeliveryResult {
  state: 'delivered' | 'failed' | 'expired';
  /** Mainland `err_code` / international `ErrorCode` as receipts and queries give it. */
  code: string;
  description: string;
  at: Date;
}

/** One accepted recipient: what its receipts and the query APIs answer from. */
export interface AlibabaMessage {
  /** The key in `messages`: `<BizId>/<PhoneNumber>` (2017-05-25) or the `MessageId` (2018-05-01). */
  key: string;
  version: ApiVersion;
  action: string;
  /** Country code and number, digits only: `8613800138000`, `85261230010`. */
  number: string;
  /** As Alibaba writes it back: 11 national digits for the mainland, else `number`. */
  phoneNumber: string;
  /** 2017-05-25: shared by every number of the request. */
  bizId?: string;
  /** 2018-05-01: one per number. */
  messageId?: string;
  signName?: string;
  templateCode?: string;
  templateParam?: Record<string, string>;
  outId?: string;
  smsUpExtendCode?: string;
  from?: string;
  type?: string;
  taskId?: string;
  validityPeriod?: number;
  /** The text: 2018-05-01's `Message`; for 2017-05-25 `【SignName】` and the template's values. */
  content: string;
  /** Billed parts. */
  parts: number;
  sentAt: Date;
  outcome: DeliveryOutcome;
  /** Absent while waiting for the carrier (the delivery delay). */
  result?: DeliveryResult;
}

/** One receipt push attempt as sent, with its outcome once known. */
export interface ReceiptPush extends BasePushAttempt {
  format: 'mainland' | 'international';
  /** Keys (in `messages`) of the receipts the body carries, in body order (a duplicate repeats). */
  keys: string[];
}

export interface AlibabaSandbox {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash); one port for both versions. */
  url: string;
  port: number;
  requests: CapturedRequest[];
  /** Accepted messages by key. */
  messages: Map<string, AlibabaMessage>;
  /** Every receipt push attempt, in the order they started. */
  pushes: ReceiptPush[];
  /** Resolves once no delivery, receipt push or retry is scheduled or in flight. */
  idle(): Promise<void>;
  /**
   * Forgets requests, messages, pushes, used nonces and the one-shot magic numbers already
   * triggered; cancels scheduled and in-flight pushes.
   */
  reset(): void;
  /** Stops listening, cancels every push and destroys every open connection (held ones included). */
  close(): Promise<void>;
}
