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
  /** One line per request (never a secret, phone numbers masked); default: silent. */
  log?: (line: string) => void;
}

/** A request exactly as it arrived, refused ones included, with the answer once one was given. */
export interface CapturedRequest {
  method: string;
  /** Raw path from the request line, without the query. */
  path: string;
  /** Raw query string without `?`, or empty. */
  query: string;
  /** Received headers by lower-case name (repeated ones joined with `, `). */
  headers: Record<string, string>;
  /** The body bytes as received, decoded as UTF-8. */
  body: string;
  remoteAddress: string;
  receivedAt: Date;
  /** Absent while pending, and for requests the sandbox never answers (hang, reset). */
  response?: { status: number; body: unknown };
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
  /** Forgets requests, messages, used nonces and the one-shot magic numbers already triggered. */
  reset(): void;
  /** Stops listening and destroys every open connection (held ones included). */
  close(): Promise<void>;
}
