import { AppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import { newCorrelation } from '../messageId.ts';
import type { AllowedCountries } from '../policy/destination.ts';
import type { MetricsPort } from '../ports/metrics.ts';
import type { RecipientOutcome, Segment, SmsProvider } from '../ports/provider.ts';
import type { Router } from '../ports/router.ts';
import type { SendBatchRequest } from '../schemas/sendBatch.ts';
import type { TakenUnit } from '../store/recipientCounters.ts';
import type { MessageRecord, MessageStore } from '../store/types.ts';
import { beforeDeadline, type Deadline } from '../util/deadline.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import {
  type Admission,
  type AdmissionDeps,
  admit,
  giveBackQuietly,
  unsentUnits,
} from './admission.ts';
import { failedOutcomes } from './failedOutcomes.ts';
import { canFailOver, type Failover } from './failover.ts';
import {
  answerForAbandoned,
  type IdempotencyGate,
  refuseClaim,
  settleAfterError,
} from './idempotency.ts';
import { matchOutcomes } from './matchOutcomes.ts';
import {
  type CallIdentity,
  identityIn,
  type MessageResult,
  toIntent,
  toRecord,
  toResult,
} from './records.ts';
import { routeRecipients, throwIfProblems } from './routeRecipients.ts';
import { screenRecipients } from './screenRecipients.ts';
import { countProviderError, countSubmitted } from './submitMetrics.ts';

export interface SendBatchDeps extends AdmissionDeps {
  router: Router;
  /** `SMS_ALLOWED_COUNTRIES` [`*`]: mobiles of these countries only. */
  allowedCountries?: AllowedCountries;
  store: MessageStore;
  log: Log;
  /** MessagesSubmitted and ProviderErrors (none counted without it). */
  metrics?: MetricsPort | undefined;
  /** Requests in flight at once over the shared keep-alive pools (BATCH_CONCURRENCY). */
  concurrency: number;
  /** A request is not started with less time than this left: its recipients are `not_sent`. */
  minRequestMs?: number;
  /** SMS_FAILOVER `on`: the other providers a request may go through. */
  failover?: Failover | undefined;
  /** The call's idempotency key (API `Idempotency-Key` or a schedule's `idempotencyKey`). */
  idempotency?: IdempotencyGate | undefined;
  now?: () => Date;
}

export interface BatchResult {
  groups: Array<{ templateId: string; messages: MessageResult[] }>;
  counts: Record<MessageResult['status'], number>;
  requests: number;
  /** Messages submitted (or not) whose record could not be written: readable by no id. */
  notRecorded: string[];
}

const DEFAULT_MIN_REQUEST_MS = 2_500;
const NO_TIME = {
  code: 'deadline',
  message: 'no time left in this call to send it; safe to send again',
};
const NO_INTENT = {
  code: 'store_unavailable',
  message: 'it could not be recorded before sending, so it was not sent; safe to send again',
};

/** Writes a request's intents before its call; false (logged) when the store refused them. */
async function recordIntents(
  deps: { store: MessageStore; log: Log },
  intents: MessageRecord[],
): Promise<boolean> {
  try {
    await deps.store.recordMessages(intents);
    return true;
  } catch (error) {
    deps.log.error('intents not recorded: request not sent', {
      reason: (error as Error).message,
      count: intents.length,
    });
    return false;
  }
}

/**
 * Every group's numbers, split by the provider each routes to, as segments per provider; the
 * numbers the destination policy refuses, by group and position, never reach a provider.
 */
function segmentsByProvider(request: SendBatchRequest, router: Router, allowed: AllowedCountries) {
  const byName = new Map<string, { provider: SmsProvider; segments: Segment[] }>();
  const refused: Array<{ group: number; position: number; outcome: RecipientOutcome }> = [];
  request.messages.forEach((group, index) => {
    const path = `messages[${index}].to`;
    const screened = screenRecipients(group.to, allowed, path, false);
    for (const [position, outcome] of screened.refused)
      refused.push({ group: index, position, outcome });
    const sendable = screened.sendable.map((position) => group.to[position] as string);
    for (const { provider, positions, to } of routeRecipients(
      router,
      sendable,
      path,
      screened.sendable,
    )) {
      let entry = byName.get(provider.name);
      if (!entry) {
        entry = { provider, segments: [] };
        byName.set(provider.name, entry);
      }
      entry.segments.push({
        group: index,
        positions,
        to,
        templateId: group.templateId,
        ...(group.templateParas ? { templateParas: group.templateParas } : {}),
        ...(group.signature ? { signature: group.signature } : {}),
      });
    }
  });
  return { routed: [...byName.values()], refused };
}

/**
 * Sends many groups in as few requests as each provider's limits allow, several at a time, each
 * number through the provider it routes to, and answers per group, per recipient, in request
 * order. What a routed provider cannot carry is refused before anything is sent. A failed request
 * does not lose the others; a request there is no time left for is not started and its recipients
 * are `not_sent` (never sent, safe to send again). Every message is recorded as its request
 * returns; one whose record failed is still answered, and listed in `notRecorded`.
 */
export async function sendBatch(
  request: SendBatchRequest,
  deps: SendBatchDeps,
  deadline: Deadline,
  answerBy: Deadline = deadline,
  /** When the idempotency key must be settled by: an unsettled key is left to its lease. */
  settleBy: Deadline = answerBy,
): Promise<BatchResult> {
  const now = deps.now ?? (() => new Date());
  const minRequestMs = deps.minRequestMs ?? DEFAULT_MIN_REQUEST_MS;
  const common = { reference: request.reference };
  const { routed: routedAll, refused } = segmentsByProvider(
    request,
    deps.router,
    deps.allowedCountries ?? '*',
  );
  throwIfProblems(
    routedAll.flatMap(({ provider, segments }) =>
      segments.flatMap((segment) => provider.check(segment, `messages[${segment.group}]`)),
    ),
  );
  // Opt-outs and per-recipient limits for every number (a number in 50 groups takes 50 units),
  // in one store round trip, before any provider call.
  const flat = routedAll.flatMap(({ segments }) =>
    segments.flatMap((segment) =>
      segment.to.map((to, k) => ({ to, slot: `${segment.group}:${segment.positions[k]}` })),
    ),
  );
  const admission = await admitOnce(
    flat.map((entry) => entry.to),
    deps,
    now().getTime(),
  );
  try {
    const result = await sendAdmitted(admission);
    if (deps.idempotency) {
      // Settled before the answer when there is time; else the answer still goes out and the
      // key stays claimed until its lease ends (a retry then hears its messages may be sent).
      const settled = await beforeDeadline(
        deps.idempotency.complete({ kind: 'ok', body: result }).then(
          () => true,
          (error: unknown) => {
            deps.log.error('idempotency key not settled', { reason: (error as Error).message });
            return false;
          },
        ),
        settleBy,
      );
      if (!settled.done) deps.log.error('idempotency key not settled before the answer was due');
    }
    return result;
  } catch (error) {
    await settleAfterError(deps.idempotency, error, deps.log);
    throw error;
  }

  async function sendAdmitted(admission: Admission): Promise<BatchResult> {
    if (admission.allOverForSeconds !== undefined && refused.length === 0) {
      throw new AppError('rate_limited', 'Every recipient has had too many messages lately', {
        retryAfterSeconds: admission.allOverForSeconds,
      });
    }
    const units = new Map(
      [...admission.units].map(([index, unit]) => [flat[index]?.slot as string, unit]),
    );
    for (const [index, outcome] of admission.refused) {
      const [group, position] = (flat[index]?.slot ?? '0:0').split(':').map(Number);
      refused.push({ group: group as number, position: position as number, outcome });
    }
    const admitted = new Set(admission.admitted.map((index) => flat[index]?.slot));
    const routed = routedAll
      .map(({ provider, segments }) => ({
        provider,
        segments: segments
          .map((segment) => {
            const keep = segment.to.flatMap((_, k) =>
              admitted.has(`${segment.group}:${segment.positions[k]}`) ? [k] : [],
            );
            return {
              ...segment,
              to: keep.map((k) => segment.to[k] as string),
              positions: keep.map((k) => segment.positions[k] as number),
            };
          })
          .filter((segment) => segment.to.length > 0),
      }))
      .filter(({ segments }) => segments.length > 0);
    const planned = await Promise.all(
      routed.map(async ({ provider, segments }) =>
        (await provider.planBatch(segments, common)).map((chunk) => ({ provider, chunk })),
      ),
    );
    // Filled by position as requests return, in whatever order they return.
    const records: MessageRecord[][] = request.messages.map((group) => new Array(group.to.length));
    const unrecorded = new Set<string>();
    // The records of requests never started, and their units, written together after the loop
    // (not one request at a time), within what is left before the answer is due.
    const unstarted: { records: MessageRecord[]; units: TakenUnit[] } = { records: [], units: [] };
    let started = 0;
    if (refused.length > 0) {
      const refusedAt = now().toISOString();
      const made = refused.map(({ group, position, outcome }) => {
        const record = toRecord(outcome, {
          templateId: request.messages[group]?.templateId ?? '',
          reference: request.reference,
          provider: 'none',
          submittedAt: refusedAt,
        });
        const slots = records[group];
        if (slots) slots[position] = record;
        return record;
      });
      await recordBeforeAnswer(made);
    }

    /**
     * Writes records (and gives back units) before the answer is due: what is not surely written
     * by then is named in `notRecorded`, and the answer goes out, never a timeout instead of the
     * results. Whatever was sent already has its intent (`unknown`, resolved by its report or by
     * reconciliation); what was never sent is `not_sent`, safe to send again.
     */
    async function recordBeforeAnswer(
      made: readonly MessageRecord[],
      units: readonly TakenUnit[] = [],
    ): Promise<void> {
      const written = await beforeDeadline(
        Promise.all([
          giveBackQuietly(deps, units),
          deps.store.recordMessages(made).then(
            () => true,
            (error: unknown) => {
              deps.log.error('batch messages not recorded', {
                reason: (error as Error).message,
                count: made.length,
              });
              return false;
            },
          ),
        ]),
        answerBy,
      );
      if (!written.done)
        deps.log.error('batch messages not recorded before the answer was due', {
          count: made.length,
        });
      if (!written.done || !written.value[1])
        for (const record of made) unrecorded.add(record.messageId);
    }

    /**
     * A planned segment as the caller asked for it: a provider's plan may carry its own template
     * id (Huawei's, resolved from the registry), which another provider does not know.
     */
    const asRequested = (segment: Segment): Segment => {
      const group = request.messages[segment.group];
      return {
        ...segment,
        templateId: group?.templateId ?? segment.templateId,
        ...(group?.templateParas ? { templateParas: group.templateParas } : {}),
        ...(group?.signature ? { signature: group.signature } : {}),
      };
    };

    /** SMS_FAILOVER: another provider that can carry every segment of a request that failed. */
    const alternativeFor = async (
      name: string,
      error: unknown,
      chunk: readonly Segment[],
    ): Promise<SmsProvider | undefined> => {
      if (!deps.failover || !canFailOver(error)) return undefined;
      const others = await deps.failover.alternatives(name);
      return others.find((other) =>
        chunk.every(
          (segment) => other.check(asRequested(segment), `messages[${segment.group}]`).length === 0,
        ),
      );
    };

    /**
     * A request its provider surely did not send, through `other`, under the same correlation (so
     * the same ids, and its reports find them), planned to `other`'s limits. The intents first
     * name `other`; undefined (nothing sent) when they cannot be written. Outcomes in the
     * request's own segment order; a number no answer covered is `unknown`.
     */
    const sendThrough = async (
      other: SmsProvider,
      chunk: readonly Segment[],
      correlation: string,
      identities: CallIdentity[][],
    ): Promise<RecipientOutcome[][] | undefined> => {
      const renamed = chunk.flatMap((segment, i) =>
        segment.to.map((to, k) =>
          toIntent(to, identities[i]?.[k] as CallIdentity, {
            templateId: asRequested(segment).templateId,
            reference: request.reference,
            provider: other.name,
            submittedAt: now().toISOString(),
          }),
        ),
      );
      if (!(await recordIntents(deps, renamed))) return undefined;
      deps.log.warn('failing over', { to: other.name, recipients: renamed.length });
      const byKey = new Map<string, RecipientOutcome>();
      for (const part of await other.planBatch(chunk.map(asRequested), common)) {
        const keyOf = (segment: Segment, k: number) => `${segment.group}:${segment.positions[k]}`;
        if (deadline.remainingMs() < minRequestMs) {
          for (const segment of part)
            segment.to.forEach((to, k) => {
              byKey.set(keyOf(segment, k), { to, status: 'not_sent', error: NO_TIME });
            });
          continue;
        }
        started += 1;
        try {
          const sent = await other.sendBatch(part, { ...common, correlation }, deadline);
          part.forEach((segment, i) => {
            matchOutcomes(segment.to, sent[i]).outcomes.forEach((outcome, k) => {
              byKey.set(keyOf(segment, k), outcome);
            });
          });
        } catch (error) {
          countProviderError(deps.metrics, other.name, error);
          for (const segment of part)
            failedOutcomes(segment.to, error).forEach((outcome, k) => {
              byKey.set(keyOf(segment, k), outcome);
            });
        }
      }
      return chunk.map((segment) =>
        segment.positions.map(
          (position, k) =>
            byKey.get(`${segment.group}:${position}`) ?? {
              to: segment.to[k] as string,
              status: 'unknown' as const,
            },
        ),
      );
    };

    await mapWithConcurrency(planned.flat(), deps.concurrency, async ({ provider, chunk }) => {
      let outcomes: RecipientOutcome[][];
      let carrier = provider.name;
      let failedOver: { from: string; code: string; at: string } | undefined;
      // One call, one correlation; a number is at most once in a planned request, so every
      // message's id is fixed before the call, and its intent is written first.
      const correlation = newCorrelation();
      const identities = chunk.map((segment) =>
        segment.to.map((to) => identityIn(correlation, to)),
      );
      const notSent = (error: { code: string; message: string }) =>
        chunk.map((s) => s.to.map((to) => ({ to, status: 'not_sent' as const, error })));
      // Checked before the intents and again after them: writing them takes time too.
      const tooLate = () => deadline.remainingMs() < minRequestMs;
      const intents = () =>
        chunk.flatMap((segment, i) =>
          segment.to.map((to, k) =>
            toIntent(to, identities[i]?.[k] as CallIdentity, {
              templateId: asRequested(segment).templateId,
              reference: request.reference,
              provider: provider.name,
              submittedAt: now().toISOString(),
            }),
          ),
        );
      // The intents' write is bounded by the send deadline too: one still running then (a
      // throttled store retrying) sends nothing, and its recipients are not_sent.
      const intentsWritten = async () => {
        const written = await beforeDeadline(recordIntents(deps, intents()), deadline);
        return written.done ? (written.value ? undefined : NO_INTENT) : NO_TIME;
      };
      const blocked = tooLate()
        ? NO_TIME
        : ((await intentsWritten()) ?? (tooLate() ? NO_TIME : undefined));
      if (blocked) {
        outcomes = notSent(blocked);
      } else {
        started += 1;
        try {
          const sent = await provider.sendBatch(chunk, { ...common, correlation }, deadline);
          outcomes = chunk.map((segment, i) => {
            const matched = matchOutcomes(segment.to, sent[i]);
            if (matched.mismatched > 0) {
              deps.log.error('provider answer did not cover every recipient', {
                provider: provider.name,
                mismatched: matched.mismatched,
              });
            }
            return matched.outcomes;
          });
        } catch (error) {
          deps.log.warn('batch request failed', {
            provider: provider.name,
            code: (error as AppError).code,
            providerCode: (error as { providerCode?: string }).providerCode,
            recipients: chunk.reduce((sum, s) => sum + s.to.length, 0),
          });
          countProviderError(deps.metrics, provider.name, error);
          outcomes = chunk.map((segment) => failedOutcomes(segment.to, error));
          const other = await alternativeFor(provider.name, error, chunk);
          if (other) {
            const failedAt = now().toISOString();
            const through = await sendThrough(other, chunk, correlation, identities);
            if (through) {
              outcomes = through;
              carrier = other.name;
              failedOver = { from: provider.name, code: (error as AppError).code, at: failedAt };
            }
          }
        }
      }
      const submittedAt = now().toISOString();
      const given: TakenUnit[] = [];
      const chunkRecords = chunk.flatMap((segment, i) => {
        const context = {
          templateId: asRequested(segment).templateId,
          reference: request.reference,
          provider: carrier,
          submittedAt,
          ...(failedOver ? { failedOver } : {}),
        };
        const made = (outcomes[i] ?? []).map((outcome, k) =>
          toRecord(outcome, context, identities[i]?.[k]),
        );
        given.push(
          ...unsentUnits(
            (outcomes[i] ?? []).map((outcome, k) => ({ index: k, outcome })),
            new Map(
              segment.positions.flatMap((position, k) => {
                const unit = units.get(`${segment.group}:${position}`);
                return unit ? [[k, unit] as const] : [];
              }),
            ),
          ),
        );
        const slots = records[segment.group] ?? [];
        made.forEach((record, k) => {
          slots[segment.positions[k] as number] = record;
        });
        return made;
      });
      if (blocked) {
        unstarted.records.push(...chunkRecords);
        unstarted.units.push(...given);
        return;
      }
      await recordBeforeAnswer(chunkRecords, given);
    });

    if (unstarted.records.length > 0) await recordBeforeAnswer(unstarted.records, unstarted.units);
    countSubmitted(deps.metrics, records.flat());
    const counts: BatchResult['counts'] = { accepted: 0, rejected: 0, unknown: 0, not_sent: 0 };
    const groups = request.messages.map((group, index) => {
      const messages = (records[index] ?? []).map(toResult);
      for (const message of messages) counts[message.status] += 1;
      return { templateId: group.templateId, messages };
    });
    // Results are answered even when some could not be recorded: without them the caller could not
    // tell who got an SMS, and a resend would text them twice. The unrecorded ones are named.
    return { groups, counts, requests: started, notRecorded: [...unrecorded] };
  }
}

/**
 * The idempotency key's claim, then (only when it is this call's) the checks before any send.
 * One round trip more than doing both at once, for keyed batches only: a replay of a
 * 10,000-number batch then takes no recipient units at all (it would re-take the ones the first
 * attempt gave back for its unsent recipients) and answers as soon as the ledger does. A claim
 * taken over from an attempt that died answers that its messages may have been sent, and sends
 * none of them again.
 */
async function admitOnce(
  numbers: readonly string[],
  deps: SendBatchDeps,
  nowMs: number,
): Promise<Admission> {
  const gate = deps.idempotency;
  if (!gate) return admit(numbers, deps, nowMs);
  const [claimed] = await Promise.allSettled([gate.claim()]);
  if (claimed.status === 'fulfilled' && claimed.value.kind === 'claimed') {
    try {
      return await admit(numbers, { ...deps, holder: gate.holder }, nowMs);
    } catch (error) {
      await settleAfterError(gate, error, deps.log);
      throw error;
    }
  }
  if (claimed.status === 'rejected') throw claimed.reason;
  const result = claimed.value;
  if (result.kind === 'claimed') throw new Error('unreachable');
  if (result.kind === 'abandoned') {
    const answer = new AppError(
      'provider_timeout',
      'An earlier attempt with this idempotency key stopped while sending: some of its messages may have been sent, and none was sent again',
    );
    return answerForAbandoned(gate, answer, deps.log);
  }
  return refuseClaim(result);
}
