import { splitUrl } from '../common/post.ts';
import { PushQueue } from '../common/pushQueue.ts';
import {
  acknowledges,
  FOLLOW_UP_MS,
  internationalReceipt,
  mainlandReceipt,
  type Receipt,
  resultOf,
} from './receipts.ts';
import type { AlibabaMessage, ReceiptPush } from './types.ts';

/** Receipts per push at most (Alibaba documents none; one push "may carry many"). */
export const MAX_RECEIPTS_PER_PUSH = 100;
/** Alibaba retries after 1, 5 and 10 minutes (international: 1 and 5): these times the unit. */
export const RETRY_FACTORS = [1, 5, 10] as const;
const DEFAULT_RETRIES = { mainland: 3, international: 2 } as const;

type Format = ReceiptPush['format'];

export interface ReceiptPusherOptions {
  receiptUrl: string | undefined;
  deliveryDelayMs: number;
  /** Overrides both defaults (3 mainland, 2 international). */
  retries: number | undefined;
  retryUnitMs: number;
  batchWindowMs: number;
  timeoutMs: number;
  now: () => Date;
  log: (line: string) => void;
  pushes: ReceiptPush[];
}

/**
 * The Alibaba sandbox's delivery side: after the delay, settles each accepted message's outcome
 * (what the query APIs answer) and, with a receipt URL, batches its receipt with others due at the
 * same time into a JSON-array push of its format, retried until acknowledged with `{"code":0}`.
 */
export class ReceiptPusher {
  readonly #options: ReceiptPusherOptions;
  readonly #queue: PushQueue<ReceiptPush>;
  readonly #batches: Record<Format, Array<{ key: string; receipt: Receipt }>> = {
    mainland: [],
    international: [],
  };

  constructor(options: ReceiptPusherOptions) {
    this.#options = options;
    this.#queue = new PushQueue<ReceiptPush>({
      now: options.now,
      log: options.log,
      timeoutMs: options.timeoutMs,
      attempts: options.pushes,
    });
  }

  /** Schedules the outcome (and receipts) of an accepted message, counted from its acceptance. */
  schedule(message: AlibabaMessage): void {
    const { deliveryDelayMs, receiptUrl } = this.#options;
    this.#queue.after(deliveryDelayMs, () => {
      const result = resultOf(message, new Date(message.sentAt.getTime() + deliveryDelayMs));
      message.result = result;
      if (receiptUrl === undefined || message.outcome === 'never') return;
      const format: Format = message.version === '2017-05-25' ? 'mainland' : 'international';
      const receipt =
        format === 'mainland'
          ? mainlandReceipt(message, result)
          : internationalReceipt(message, result);
      this.#enqueue(format, message.key, receipt);
      if (message.outcome === 'duplicate') {
        this.#queue.after(FOLLOW_UP_MS, () => this.#enqueue(format, message.key, receipt));
      }
    });
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Cancels every scheduled delivery, batched receipt, retry and in-flight push. */
  reset(): void {
    this.#batches.mainland = [];
    this.#batches.international = [];
    this.#queue.reset();
  }

  close(): void {
    this.reset();
    this.#queue.close();
  }

  #enqueue(format: Format, key: string, receipt: Receipt): void {
    const batch = this.#batches[format];
    if (batch.length === 0)
      this.#queue.after(this.#options.batchWindowMs, () => this.#flush(format));
    batch.push({ key, receipt });
  }

  #flush(format: Format): void {
    const { receiptUrl, retries, retryUnitMs } = this.#options;
    const queued = this.#batches[format];
    this.#batches[format] = [];
    if (receiptUrl === undefined) return;
    for (let i = 0; i < queued.length; i += MAX_RECEIPTS_PER_PUSH) {
      const chunk = queued.slice(i, i + MAX_RECEIPTS_PER_PUSH);
      const body = JSON.stringify(chunk.map((entry) => entry.receipt));
      this.#queue.send({
        url: receiptUrl,
        body,
        headers: () => ({
          Host: splitUrl(receiptUrl).host,
          'Content-Type': 'application/json',
        }),
        extra: { format, keys: chunk.map((entry) => entry.key) },
        label: `${chunk.length} ${format} receipt${chunk.length === 1 ? '' : 's'}`,
        retries: retries ?? DEFAULT_RETRIES[format],
        retryDelayMs: (n) => retryUnitMs * (RETRY_FACTORS[n - 1] ?? RETRY_FACTORS[2]),
        acknowledged: acknowledges,
      });
    }
  }
}
