import { maskPhone } from '../common/mask.ts';
import { type Push, PushQueue } from '../common/pushQueue.ts';
import { batchBody, formBody, planReports, type StatusReport } from './delivery.ts';
import { magicDeliveryOutcome } from './magic.ts';
import { pushHeaders } from './pushAuth.ts';
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

/**
 * The Huawei sandbox's pushing side: plans each accepted message's reports, sends them to its
 * `statusCallback` (form) or batches them to the report URL (JSON); the shared queue retries
 * (doubling the wait) and records every attempt.
 */
export class Pusher {
  readonly #options: PusherOptions;
  readonly #queue: PushQueue<PushAttempt>;
  #batch: Array<{ smsMsgId: string; report: StatusReport }> = [];

  constructor(options: PusherOptions) {
    this.#options = options;
    this.#queue = new PushQueue<PushAttempt>({
      now: options.now,
      log: options.log,
      timeoutMs: options.timeoutMs,
      attempts: options.pushes,
    });
  }

  /** Plans and schedules the reports of an accepted message (none without a destination). */
  schedule(message: SandboxMessage): void {
    if (this.#queue.closed) return;
    const { reportUrl, deliveryDelayMs } = this.#options;
    const callback = message.statusCallback;
    if (callback === undefined && reportUrl === undefined) return;
    const plan = planReports(message, magicDeliveryOutcome(message.to), deliveryDelayMs);
    for (const { afterMs, report } of plan) {
      this.#queue.after(afterMs, () => {
        if (callback === undefined) {
          this.#enqueue(message.smsMsgId, report);
          return;
        }
        this.#queue.send(
          this.#push(
            callback,
            formBody(report),
            FORM,
            [message.smsMsgId],
            `report ${report.status} ${report.sequence}/${report.total} to=${maskPhone(message.to)}`,
          ),
        );
      });
    }
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Cancels every scheduled, batched, retrying and in-flight push. */
  reset(): void {
    this.#batch = [];
    this.#queue.reset();
  }

  close(): void {
    this.#batch = [];
    this.#queue.close();
  }

  #push(
    url: string,
    body: string,
    contentType: string,
    smsMsgIds: string[],
    label: string,
  ): Push<PushAttempt> {
    const { pushKey, retries, retryDelayMs } = this.#options;
    return {
      url,
      body,
      headers: (at) => pushHeaders(url, body, contentType, pushKey, at),
      extra: { smsMsgIds },
      label,
      retries,
      retryDelayMs: (n) => retryDelayMs * 2 ** (n - 1),
    };
  }

  #enqueue(smsMsgId: string, report: StatusReport): void {
    if (this.#batch.length === 0) {
      this.#queue.after(this.#options.batchWindowMs, () => this.#flush());
    }
    this.#batch.push({ smsMsgId, report });
  }

  #flush(): void {
    const { reportUrl } = this.#options;
    const queued = this.#batch;
    this.#batch = [];
    if (reportUrl === undefined) return;
    for (let i = 0; i < queued.length; i += MAX_BATCH) {
      const chunk = queued.slice(i, i + MAX_BATCH);
      this.#queue.send(
        this.#push(
          reportUrl,
          batchBody(chunk.map((entry) => entry.report)),
          JSON_TYPE,
          chunk.map((entry) => entry.smsMsgId),
          `batch of ${chunk.length}`,
        ),
      );
    }
  }
}
