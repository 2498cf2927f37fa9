import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { maskPhone } from '../shared/phone.ts';
import { batchBody, formBody, planReports, type StatusReport } from './delivery.ts';
import { magicDeliveryOutcome } from './magic.ts';
import { type Posting, post, pushHeaders, redactUrl } from './post.ts';
import type { PushAttempt, PushKey, SandboxMessage } from './types.ts';

/** Huawei pushes at most 50 reports per batch. */
export const MAX_BATCH = 50;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export interface PusherOptions {
  pushKey?: PushKey | undefined;
  reportUrl?: string | undefined;
  deliveryDelayMs: number;
  retries: number;
  retryDelayMs: number;
  batchWindowMs: number;
  timeoutMs: number;
  now: () => Date;
  log: (line: string) => void;
  /** Where attempts are recorded (the sandbox's `pushes`). */
  pushes: PushAttempt[];
}

interface Push {
  url: string;
  body: string;
  contentType: string;
  smsMsgIds: string[];
  /** For the log line. */
  label: string;
}

/**
 * The sandbox's pushing side: plans each accepted message's reports, sends them to its
 * `statusCallback` (form) or batches them to the report URL (JSON), retries, and records every
 * attempt. Timers and requests are tracked so `idle()`, `reset()` and `close()` are exact.
 */
export class Pusher {
  readonly #options: PusherOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Posting>();
  readonly #agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  #batch: Array<{ smsMsgId: string; report: StatusReport }> = [];
  #waiters: Array<() => void> = [];
  /** Bumped by reset/close so that work from before never schedules more. */
  #generation = 0;
  #closed = false;

  constructor(options: PusherOptions) {
    this.#options = options;
  }

  /** Plans and schedules the reports of an accepted message (none without a destination). */
  schedule(message: SandboxMessage): void {
    if (this.#closed) return;
    const { reportUrl, deliveryDelayMs } = this.#options;
    const callback = message.statusCallback;
    if (callback === undefined && reportUrl === undefined) return;
    const plan = planReports(message, magicDeliveryOutcome(message.to), deliveryDelayMs);
    for (const { afterMs, report } of plan) {
      this.#after(afterMs, () => {
        if (callback === undefined) {
          this.#enqueue(message.smsMsgId, report);
          return;
        }
        this.#attempt(
          {
            url: callback,
            body: formBody(report),
            contentType: FORM,
            smsMsgIds: [message.smsMsgId],
            label: `report ${report.status} ${report.sequence}/${report.total} to=${maskPhone(message.to)}`,
          },
          1,
        );
      });
    }
  }

  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Cancels every scheduled, batched, retrying and in-flight push. */
  reset(): void {
    this.#generation += 1;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#batch = [];
    for (const posting of this.#inFlight) posting.cancel();
    this.#inFlight.clear();
    this.#settle();
  }

  close(): void {
    this.#closed = true;
    this.reset();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #enqueue(smsMsgId: string, report: StatusReport): void {
    if (this.#batch.length === 0) this.#after(this.#options.batchWindowMs, () => this.#flush());
    this.#batch.push({ smsMsgId, report });
  }

  #flush(): void {
    const { reportUrl } = this.#options;
    const queued = this.#batch;
    this.#batch = [];
    if (reportUrl === undefined) return;
    for (let i = 0; i < queued.length; i += MAX_BATCH) {
      const chunk = queued.slice(i, i + MAX_BATCH);
      this.#attempt(
        {
          url: reportUrl,
          body: batchBody(chunk.map((entry) => entry.report)),
          contentType: JSON_TYPE,
          smsMsgIds: chunk.map((entry) => entry.smsMsgId),
          label: `batch of ${chunk.length}`,
        },
        1,
      );
    }
  }

  #attempt(push: Push, attempt: number): void {
    const { pushKey, now, timeoutMs, retries, retryDelayMs, log, pushes } = this.#options;
    const at = now();
    const headers = pushHeaders(push.url, push.body, push.contentType, pushKey, at);
    const record: PushAttempt = {
      url: push.url,
      body: push.body,
      headers,
      smsMsgIds: push.smsMsgIds,
      attempt,
      at,
    };
    pushes.push(record);
    const generation = this.#generation;
    const posting = post(push.url, headers, push.body, { agents: this.#agents, timeoutMs });
    this.#inFlight.add(posting);
    void posting.result.then((result) => {
      if ('status' in result) record.status = result.status;
      else record.error = result.error;
      if (generation !== this.#generation) return; // cancelled: reset() already settled
      this.#inFlight.delete(posting);
      const outcome = 'status' in result ? String(result.status) : result.error;
      const where = `${push.label} -> ${redactUrl(push.url)}`;
      if ('status' in result && result.status === 200) {
        log(`push ${where}: 200 (attempt ${attempt})`);
      } else if (attempt <= retries) {
        const delay = retryDelayMs * 2 ** (attempt - 1);
        log(`push ${where}: ${outcome} (attempt ${attempt}), retrying in ${delay} ms`);
        this.#after(delay, () => this.#attempt(push, attempt + 1));
      } else {
        log(`push ${where}: ${outcome} (attempt ${attempt}), giving up`);
      }
      this.#settle();
    });
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
      this.#settle();
    }, ms);
    this.#timers.add(timer);
  }

  #isIdle(): boolean {
    return this.#timers.size === 0 && this.#inFlight.size === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
