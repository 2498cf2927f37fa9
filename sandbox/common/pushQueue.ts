import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { type Posting, post, redactUrl } from './post.ts';

/** One push attempt as sent, with its outcome once known (what every provider records). */
export interface BasePushAttempt {
  url: string;
  /** The exact body sent. */
  body: string;
  /** The headers sent (as signed), without `Content-Length`. */
  headers: Record<string, string>;
  /** 1 for the first attempt, then 2, 3... for retries. */
  attempt: number;
  /** The HTTP status received; absent while in flight and when there was none. */
  status?: number;
  /** Why no status came (connection refused, timeout, cancelled by reset or close). */
  error?: string;
  at: Date;
}

/** A push to make, and how to judge and repeat it. */
export interface Push<A extends BasePushAttempt> {
  url: string;
  body: string;
  /** The headers of an attempt made at `at` (a signed push is signed again for each attempt). */
  headers: (at: Date) => Record<string, string>;
  /** The provider's own fields of each attempt record. */
  extra: Omit<A, keyof BasePushAttempt>;
  /** For the log line: what the push carries (never a whole number, never a secret). */
  label: string;
  /** Attempts after the first one. */
  retries: number;
  /** Wait before retry `n` (1 for the first retry). */
  retryDelayMs: (n: number) => number;
  /** Whether an HTTP answer acknowledges the push; default: status 200. */
  acknowledged?: (status: number, text: string) => boolean;
}

export interface PushQueueOptions<A extends BasePushAttempt> {
  now: () => Date;
  log: (line: string) => void;
  /** An attempt without an answer by then fails (and is retried). */
  timeoutMs: number;
  /** Where attempts are recorded (the sandbox's `pushes`), in the order they start. */
  attempts: A[];
  /**
   * Attempts in flight at once (default 32); the rest wait their turn, their timeout counted
   * from when they are sent. A provider pushes at its own pace: 20,000 reports of a big batch
   * do not all hit the callback in the same millisecond.
   */
  maxInFlight?: number | undefined;
}

const MAX_IN_FLIGHT = 32;

/**
 * The provider-neutral half of a sandbox's pushing side: timers, attempts with a timeout, retries,
 * the log and the attempt records. Timers and requests are tracked so `idle()`, `reset()` and
 * `close()` are exact.
 */
export class PushQueue<A extends BasePushAttempt> {
  readonly #options: PushQueueOptions<A>;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Posting>();
  readonly #agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  #waiters: Array<() => void> = [];
  /** Attempts waiting for a free slot, in order. */
  #waiting: Array<{ push: Push<A>; attempt: number }> = [];
  /** Bumped by reset/close so that work from before never schedules more. */
  #generation = 0;
  #closed = false;

  constructor(options: PushQueueOptions<A>) {
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `run` after `ms` unless reset or closed first; `idle()` waits for it. */
  after(ms: number, run: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
      this.#settle();
    }, ms);
    this.#timers.add(timer);
  }

  /** Makes the first attempt of a push now. */
  send(push: Push<A>): void {
    if (this.#closed) return;
    this.#attempt(push, 1);
  }

  /** Resolves once nothing is scheduled, waiting for a retry or in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Cancels every scheduled, retrying and in-flight push. */
  reset(): void {
    this.#generation += 1;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const posting of this.#inFlight) posting.cancel();
    this.#inFlight.clear();
    this.#waiting = [];
    this.#settle();
  }

  close(): void {
    this.#closed = true;
    this.reset();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #attempt(push: Push<A>, attempt: number): void {
    if (this.#inFlight.size >= (this.#options.maxInFlight ?? MAX_IN_FLIGHT)) {
      this.#waiting.push({ push, attempt });
      return;
    }
    const { now, timeoutMs, log, attempts } = this.#options;
    const at = now();
    const headers = push.headers(at);
    const record = { url: push.url, body: push.body, headers, attempt, at, ...push.extra } as A;
    attempts.push(record);
    const generation = this.#generation;
    const posting = post(push.url, headers, push.body, { agents: this.#agents, timeoutMs });
    this.#inFlight.add(posting);
    void posting.result.then((result) => {
      if ('status' in result) record.status = result.status;
      else record.error = result.error;
      if (generation !== this.#generation) return; // cancelled: reset() already settled
      this.#inFlight.delete(posting);
      const next = this.#waiting.shift();
      if (next) this.#attempt(next.push, next.attempt);
      const acknowledged =
        'status' in result &&
        (push.acknowledged ? push.acknowledged(result.status, result.text) : result.status === 200);
      const outcome =
        'status' in result
          ? `${result.status}${acknowledged || !push.acknowledged ? '' : ' (not acknowledged)'}`
          : result.error;
      const where = `${push.label} -> ${redactUrl(push.url)}`;
      if (acknowledged) {
        log(`push ${where}: ${outcome} (attempt ${attempt})`);
      } else if (attempt <= push.retries) {
        const delay = push.retryDelayMs(attempt);
        log(`push ${where}: ${outcome} (attempt ${attempt}), retrying in ${delay} ms`);
        this.after(delay, () => this.#attempt(push, attempt + 1));
      } else {
        log(`push ${where}: ${outcome} (attempt ${attempt}), giving up`);
      }
      this.#settle();
    });
  }

  #isIdle(): boolean {
    return this.#timers.size === 0 && this.#inFlight.size === 0 && this.#waiting.length === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
