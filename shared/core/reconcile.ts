import { isTerminal, type MessageStatus } from '../delivery/status.ts';
import { isProviderError } from '../errors.ts';
import type { Log } from '../logger.ts';
import type { MetricsPort } from '../ports/metrics.ts';
import type { QueriedStatus, SmsProvider } from '../ports/provider.ts';
import type { DeliveryReport } from '../ports/push.ts';
import type { MessageRecord, MessageStore, StoredMessage } from '../store/types.ts';
import type { Deadline } from '../util/deadline.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import { finalAt, timeDelivery } from './deliveryLatency.ts';

/** Huawei reports `EXPIRED` 72 h after sending, and says nothing more after that. */
export const REPORT_WINDOW_MS = 72 * 3_600_000;
/** Alibaba's QuerySendDetails looks back 30 days: older messages cannot be asked about. */
const QUERY_WINDOW_MS = 30 * 86_400_000;
/** Messages looked at in one page, and at once. */
const PAGE_SIZE = 50;
const CONCURRENCY = 8;
/** A page is not started with less time than this left. */
const PAGE_RESERVE_MS = 3_000;

export interface ReconcileDeps {
  store: MessageStore;
  /** The provider that carried a message, when this deployment can still reach it. */
  provider: (name: string) => Promise<SmsProvider | undefined>;
  log: Log;
  /** DeliveryLatency of the final messages it takes off its list, and ReconcileOutcomes. */
  metrics?: MetricsPort | undefined;
  /** A message no report made final this long after its submit ends `expired` [72 h + 6 h]. */
  expireAfterMs: number;
  /** The shortest wait before a message is looked at again [15 min]. */
  recheckMs: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReconcileResult {
  /** Messages looked at. */
  examined: number;
  /** Already final (a report came): taken off the list. */
  final: number;
  /** Made final by what a provider's query API said. */
  resolved: number;
  /** Made `expired`: no report came in the window. */
  expired: number;
  /** Still on their way: looked at again later. */
  rescheduled: number;
  /** Queries asked of the providers. */
  queried: number;
  /** Messages whose check failed (a store or provider error): looked at again next run. */
  failed: number;
  /** The run stopped for its deadline with messages still due. */
  incomplete: boolean;
}

/** At most `perSecond` starts per second, shared by every caller of one limiter. */
function rateLimiter(perSecond: number, sleep: (ms: number) => Promise<void>) {
  const gap = 1_000 / perSecond;
  let next = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await sleep(at - now);
  };
}

function currentStatus(stored: StoredMessage): MessageStatus | undefined {
  return stored.delivery?.status ?? stored.record?.status;
}

/** The first part that no report has made final, for a report about the message as a whole. */
function openPart(stored: StoredMessage): { sequence: number; total: number } {
  const total = stored.delivery?.total ?? 1;
  for (let sequence = 1; sequence <= total; sequence++) {
    const part = stored.delivery?.parts[String(sequence)];
    if (!part || !isTerminal(part.status)) return { sequence, total };
  }
  return { sequence: 1, total };
}

function reportFor(
  record: MessageRecord,
  stored: StoredMessage,
  fields: Pick<
    DeliveryReport,
    'providerStatus' | 'status' | 'updatedAt' | 'statusDesc' | 'source'
  > & {
    providerMessageId?: string | undefined;
  },
): DeliveryReport {
  const providerMessageId = fields.providerMessageId ?? record.providerMessageId ?? '';
  return {
    provider: record.provider,
    providerMessageId,
    trackingId: record.trackingId ?? (providerMessageId || record.messageId),
    ...openPart(stored),
    providerStatus: fields.providerStatus,
    status: fields.status,
    ...(fields.updatedAt ? { updatedAt: fields.updatedAt } : {}),
    ...(fields.statusDesc ? { statusDesc: fields.statusDesc } : {}),
    ...(fields.source ? { source: fields.source } : {}),
    to: record.to,
    ...(record.correlation ? { correlation: record.correlation } : {}),
  };
}

/**
 * Moves every message that no report made final towards a final status (SPEC "Status"), reading
 * only the messages due (the store's sparse index, no scan):
 * - one a report already made final is taken off the list;
 * - one whose provider has a query API is asked about, within that API's rate, and what it
 *   answers is stored as a report (`source: query`);
 * - one with no final status `expireAfterMs` after its submit ends `expired` (`NO_REPORT`): for
 *   an `accepted` message no report came; for an `unknown` one the provider never said it took it,
 *   and nothing said it was delivered;
 * - the others are looked at again later (waits growing with their age).
 * It stops before its deadline; what is left is still due, so the next run resumes with it.
 */
export async function reconcile(deps: ReconcileDeps, deadline: Deadline): Promise<ReconcileResult> {
  const now = deps.now ?? (() => new Date());
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const result: ReconcileResult = {
    examined: 0,
    final: 0,
    resolved: 0,
    expired: 0,
    rescheduled: 0,
    queried: 0,
    failed: 0,
    incomplete: false,
  };
  const limiters = new Map<string, () => Promise<void>>();
  const throttled = new Set<string>();

  async function ask(
    provider: SmsProvider,
    record: MessageRecord,
  ): Promise<QueriedStatus | undefined> {
    if (!provider.query || throttled.has(provider.name)) return undefined;
    let limiter = limiters.get(provider.name);
    if (!limiter) {
      limiter = rateLimiter(provider.queryRate ?? 10, sleep);
      limiters.set(provider.name, limiter);
    }
    await limiter();
    result.queried += 1;
    try {
      return await provider.query(
        {
          to: record.to,
          templateId: record.templateId,
          providerMessageId: record.providerMessageId,
          trackingId: record.trackingId,
          correlation: record.correlation,
          reference: record.reference,
          submittedAt: record.submittedAt,
        },
        deadline,
      );
    } catch (error) {
      // Over the provider's rate: no more queries to it in this run.
      if (isProviderError(error) && error.code === 'rate_limited') throttled.add(provider.name);
      deps.log.warn('reconciliation query failed', {
        provider: provider.name,
        code: (error as { code?: unknown }).code,
      });
      return undefined;
    }
  }

  async function examine(messageId: string): Promise<void> {
    result.examined += 1;
    const at = now();
    const stored = await deps.store.getMessage(messageId);
    const record = stored.record;
    const status = currentStatus(stored);
    if (
      !record ||
      status === undefined ||
      isTerminal(status) ||
      record.status === 'rejected' ||
      record.status === 'not_sent'
    ) {
      await deps.store.scheduleCheck(messageId, undefined);
      // Off the list once: each message is timed once (a failed removal is timed on its retry).
      if (record && stored.delivery && status !== undefined && isTerminal(status))
        timeDelivery(deps.metrics, record, status, finalAt(stored.delivery));
      result.final += 1;
      return;
    }
    const age = at.getTime() - Date.parse(record.submittedAt);
    const provider = age < QUERY_WINDOW_MS ? await deps.provider(record.provider) : undefined;
    const answer = provider ? await ask(provider, record) : undefined;
    if (answer && (isTerminal(answer.status) || record.status === 'unknown')) {
      // An `unknown` submit the provider says it has is `accepted` from now on, in the history.
      await deps.store.applyReport(
        reportFor(record, stored, {
          providerStatus: answer.providerStatus,
          status: answer.status,
          updatedAt: answer.updatedAt,
          statusDesc: answer.description,
          source: 'query',
          providerMessageId: answer.providerMessageId,
        }),
        at.toISOString(),
        { by: 'reconcile', messageId },
      );
      if (isTerminal(answer.status)) {
        await deps.store.scheduleCheck(messageId, undefined);
        timeDelivery(deps.metrics, record, answer.status, answer.updatedAt ?? at.toISOString());
        result.resolved += 1;
        return;
      }
    }
    if (age >= deps.expireAfterMs) {
      await deps.store.applyReport(
        reportFor(record, stored, {
          providerStatus: 'NO_REPORT',
          status: 'expired',
          updatedAt: at.toISOString(),
          statusDesc:
            record.status === 'unknown'
              ? 'the submit was never answered and no report came: treated as not delivered'
              : "no delivery report came within the provider's 72 h window",
          source: 'reconcile',
        }),
        at.toISOString(),
        { by: 'reconcile', messageId },
      );
      await deps.store.scheduleCheck(messageId, undefined);
      result.expired += 1;
      return;
    }
    // Young messages are looked at often, old ones rarely; never past their expiry.
    const wait = Math.min(Math.max(deps.recheckMs, age / 2), 6 * 3_600_000);
    const expiry = Date.parse(record.submittedAt) + deps.expireAfterMs;
    await deps.store.scheduleCheck(
      messageId,
      new Date(Math.min(at.getTime() + wait, expiry)).toISOString(),
    );
    result.rescheduled += 1;
  }

  let cursor: string | undefined;
  do {
    if (deadline.remainingMs() < PAGE_RESERVE_MS) {
      result.incomplete = true;
      break;
    }
    const page = await deps.store.listDue(now().toISOString(), { limit: PAGE_SIZE, cursor });
    await mapWithConcurrency(page.messageIds, CONCURRENCY, async (messageId) => {
      try {
        await examine(messageId);
      } catch (error) {
        result.failed += 1;
        deps.log.warn('reconciliation of a message failed', {
          messageId,
          reason: (error as Error).message,
        });
      }
    });
    cursor = page.cursor;
  } while (cursor);
  for (const outcome of ['final', 'resolved', 'expired', 'rescheduled', 'failed'] as const)
    deps.metrics?.count('ReconcileOutcomes', result[outcome], { outcome });
  deps.log.info('reconciliation run', { ...result });
  return result;
}
