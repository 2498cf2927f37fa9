import { AppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import { maskPhone } from '../phone.ts';
import type { MetricsPort } from '../ports/metrics.ts';
import {
  type DeliveryReport,
  MAX_PARTS,
  type Push,
  type PushAnswer,
  type PushReceiver,
  type PushRequest,
} from '../ports/push.ts';
import type { OptOutStore } from '../store/optOuts.ts';
import type { MessageStore } from '../store/types.ts';
import { applyOptOut } from './applyOptOut.ts';

/**
 * A report's own time is believed only within this window around its arrival: providers report
 * within days (Huawei gives up after 72 h, Alibaba's query window is 30 days), and a time far
 * outside it (1970, the year 2099) is a broken or forged clock. Outside it, the receive time
 * stands in (SPEC: `at` is the provider's time when it gives a sane one).
 */
const PAST_MS = 30 * 86_400_000;
const FUTURE_MS = 86_400_000;

function saneTime(report: DeliveryReport, receivedAt: Date): DeliveryReport {
  if (report.updatedAt === undefined) return report;
  const at = Date.parse(report.updatedAt);
  const now = receivedAt.getTime();
  if (Number.isFinite(at) && at >= now - PAST_MS && at <= now + FUTURE_MS) return report;
  const { updatedAt: _dropped, ...rest } = report;
  return rest;
}

export interface ReceivePushDeps {
  /** Every provider's push endpoint, told apart by path. */
  receivers: readonly PushReceiver[];
  store: MessageStore;
  /** Where replies' STOP and START words take effect; without it, replies are only stored. */
  optOuts?: OptOutStore;
  log: Log;
  /** ReportsIngested, and ReportsRefused: one per push answered 401 or 400 (none without it). */
  metrics?: MetricsPort | undefined;
  now?: () => Date;
}

/**
 * The receiver whose path is the request's path (a trailing `/` aside); any other path goes to
 * the receiver at `/`, so a callback URL with a path of its own (a proxy in front) keeps working.
 */
function receiverFor(receivers: readonly PushReceiver[], path: string): PushReceiver | undefined {
  const normal = (p: string) => p.replace(/\/+$/, '') || '/';
  return (
    receivers.find((receiver) => normal(receiver.path) === normal(path)) ??
    receivers.find((receiver) => normal(receiver.path) === '/')
  );
}

/**
 * One push from a provider, end to end: authenticated from the request exactly as received,
 * everything it carried stored durably (and a reply's STOP or START applied to `optOuts`), and only
 * then acknowledged the way that provider expects.
 * Valid reports of a batch are stored even when others are invalid; the invalid ones are then
 * refused with a `400` naming them (a resend of the whole batch changes nothing for the stored
 * ones). A store failure throws `store_unavailable` so the provider pushes again.
 */
export async function receivePush(
  request: PushRequest,
  deps: ReceivePushDeps,
): Promise<PushAnswer> {
  const receiver = receiverFor(deps.receivers, request.path);
  if (!receiver) throw new AppError('not_found', 'No provider pushes to this path');
  const probed = receiver.probe?.(request);
  if (probed) return probed;
  if (request.method !== 'POST')
    throw new AppError('method_not_allowed', 'Delivery reports are POSTed');

  const receivedAt = (deps.now ?? (() => new Date()))();
  const verdict = await receiver.authenticate(request, receivedAt);
  if (!verdict.ok) {
    deps.log.warn('push refused', { provider: receiver.provider, reason: verdict.reason });
    deps.metrics?.count('ReportsRefused', 1, { reason: 'unauthorized' });
    throw new AppError('unauthorized', 'The push is not authenticated');
  }
  let push: Push;
  try {
    push = receiver.parse(request);
  } catch (error) {
    deps.metrics?.count('ReportsRefused', 1, { reason: 'invalid' });
    throw error;
  }
  // A push authenticated for one call speaks for that call's messages only: its reports are
  // that call's, and one without the number cannot say which of its messages it is about.
  const scoped = verdict.correlation;
  if (scoped !== undefined && push.inbound.length > 0) {
    // Replies come to the application's URL (SPEC): a call's URL vouches for nothing a phone
    // sends, so a leaked one cannot opt any number out.
    deps.log.warn('push refused', {
      provider: receiver.provider,
      reason: 'a reply to a per-request callback URL',
    });
    deps.metrics?.count('ReportsRefused', 1, { reason: 'unauthorized' });
    throw new AppError('unauthorized', 'Replies are accepted at the application callback URL only');
  }
  if (scoped !== undefined) {
    push.reports = push.reports.map((report) => ({ ...report, correlation: scoped }));
  }
  // Whatever a provider's parser let through, no report may claim more parts than SMS can have.
  const reports = push.reports.filter((report, index) => {
    if (scoped !== undefined && report.to === undefined) {
      push.invalid.push({
        path: `reports[${index}].to`,
        message: 'a report to a per-request callback URL must name its recipient',
      });
      return false;
    }
    const ok =
      Number.isInteger(report.total) &&
      Number.isInteger(report.sequence) &&
      report.total >= 1 &&
      report.total <= MAX_PARTS &&
      report.sequence >= 1 &&
      report.sequence <= report.total;
    if (!ok) {
      push.invalid.push({
        path: `reports[${index}]`,
        message: `total must be 1-${MAX_PARTS} and sequence 1-total`,
      });
    }
    return ok;
  });
  // A URL bound to its call's one number: a report about it is that call's own message, known
  // with no lookup; one about any other number is forged, and nothing of the push is stored.
  const onlyFor = verdict.onlyFor;
  if (onlyFor && reports.some((report) => report.to === undefined || !onlyFor(report.to))) {
    deps.log.warn('push refused', {
      provider: receiver.provider,
      reason: "report for a number outside the callback URL's call",
    });
    deps.metrics?.count('ReportsRefused', 1, { reason: 'unauthorized' });
    throw new AppError('unauthorized', 'The push is not authenticated for these messages');
  }
  const at = receivedAt.toISOString();

  let changed = 0;
  for (const message of push.inbound) {
    const result = await deps.store.recordInbound(message, at);
    deps.log.info('reply received', {
      provider: receiver.provider,
      providerMessageId: message.providerMessageId,
      from: maskPhone(message.from),
      changed: result.changed,
    });
    if (result.changed) changed += 1;
    // Applied on every arrival, not only the first: a push retried because this write failed
    // must still take effect, and applying a keyword twice changes nothing.
    if (deps.optOuts)
      await applyOptOut(message, receivedAt, { optOuts: deps.optOuts, log: deps.log });
  }
  const results =
    reports.length === 0
      ? []
      : await deps.store.applyReports(
          reports.map((report) => saneTime(report, receivedAt)),
          at,
          {
            by: verdict.by,
            mustExist:
              verdict.by === 'request'
                ? onlyFor
                  ? undefined
                  : 'message'
                : verdict.by === 'app'
                  ? 'appReports'
                  : undefined,
          },
        );
  const foreign = results.filter((result) => result.found === false).length;
  if (foreign > 0) {
    // A per-request token used for a message that is not its call's: forged; those reports were
    // not kept (the others of the push are its call's own, and stay).
    deps.log.warn('push refused', {
      provider: receiver.provider,
      reason: "report for a message outside the callback token's request",
      reports: foreign,
    });
    deps.metrics?.count('ReportsRefused', 1, { reason: 'unauthorized' });
    throw new AppError('unauthorized', 'The push is not authenticated for these messages');
  }
  changed += results.filter((result) => result.changed).length;
  if (reports.length > 0)
    deps.metrics?.count('ReportsIngested', reports.length, { provider: receiver.provider });
  if (reports.length > 0 || push.invalid.length > 0) {
    deps.log.info('delivery reports stored', {
      provider: receiver.provider,
      received: reports.length,
      changed,
      invalid: push.invalid.length,
      reports: reports.map((r) => ({
        providerMessageId: r.providerMessageId,
        status: r.providerStatus,
        part: `${r.sequence}/${r.total}`,
      })),
    });
  }
  if (push.invalid.length > 0) {
    deps.metrics?.count('ReportsRefused', 1, { reason: 'invalid' });
    // Problems are per field; the count is of the entries they belong to (`list[3].status`
    // and `list[3].total` are one report; a push of one report has paths without an index).
    const entries = new Set(push.invalid.map(({ path }) => /^[^.]*\[\d+\]/.exec(path)?.[0] ?? ''));
    throw new AppError(
      'invalid_request',
      `${entries.size} report(s) are invalid; ${reports.length} valid one(s) were stored`,
      { details: push.invalid.map(({ path, message }) => ({ path, message })) },
    );
  }
  return receiver.acknowledge({ received: reports.length + push.inbound.length, changed });
}
