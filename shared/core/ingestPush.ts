import { AppError } from '../errors.ts';
import type { HuaweiPush } from '../huawei/pushes.ts';
import type { Log } from '../logger.ts';
import { maskPhone } from '../phone.ts';
import type { MessageStore } from '../store/types.ts';
import { mapWithConcurrency } from '../util/pool.ts';

/** Reports of one push written at once; two parts of one message may race, the store resolves it. */
const WRITE_CONCURRENCY = 10;

/**
 * Stores everything a push carried; returns only once every write is durable. Valid reports of a
 * batch are stored even when others are invalid, and then the invalid ones are refused with a
 * `400` naming them (a resend of the whole batch changes nothing for the stored ones).
 */
export async function ingestPush(
  push: HuaweiPush,
  store: MessageStore,
  log: Log,
  receivedAt: string,
): Promise<{ received: number; changed: number }> {
  if (push.kind === 'uplink') {
    const { changed } = await store.recordInbound(push.message, receivedAt);
    log.info('reply received', {
      providerMessageId: push.message.providerMessageId,
      from: maskPhone(push.message.from),
      changed,
    });
    return { received: 1, changed: changed ? 1 : 0 };
  }
  const results = await mapWithConcurrency(push.reports, WRITE_CONCURRENCY, (report) =>
    store.applyReport(report, receivedAt),
  );
  const changed = results.filter((result) => result.changed).length;
  log.info('delivery reports stored', {
    received: push.reports.length,
    changed,
    invalid: push.invalid.length,
    reports: push.reports.map((r) => ({
      providerMessageId: r.providerMessageId,
      status: r.providerStatus,
      part: `${r.sequence}/${r.total}`,
    })),
  });
  if (push.invalid.length > 0) {
    throw new AppError(
      'invalid_request',
      `${push.invalid.length} report(s) are invalid; ${push.reports.length} valid one(s) were stored`,
      {
        details: push.invalid,
      },
    );
  }
  return { received: push.reports.length, changed };
}
