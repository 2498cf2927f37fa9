import { AppError, type ErrorDetail, isProviderError, ProviderError } from '../errors.ts';
import type { Log } from '../logger.ts';
import { newCorrelation } from '../messageId.ts';
import { maskNumbersIn, maskPhone } from '../phone.ts';
import type { AllowedCountries } from '../policy/destination.ts';
import type { MetricsPort } from '../ports/metrics.ts';
import type { RecipientOutcome, SmsProvider } from '../ports/provider.ts';
import type { Router } from '../ports/router.ts';
import type { SendSmsRequest } from '../schemas/sendSms.ts';
import type { StoredOutcome } from '../store/idempotency.ts';
import type { TakenUnit } from '../store/recipientCounters.ts';
import type { MessageRecord, MessageStore } from '../store/types.ts';
import type { Deadline } from '../util/deadline.ts';
import { type Admission, type AdmissionDeps, giveBackQuietly, unsentUnits } from './admission.ts';
import type { Breaker } from './breaker.ts';
import { answerForDeadAttempt, readDeadAttempt, sentNone } from './deadAttempt.ts';
import { failedOutcomes } from './failedOutcomes.ts';
import { canFailOver, type Failover } from './failover.ts';
import { type IdempotencyGate, refuseClaim, settleAfterError } from './idempotency.ts';
import {
  admitAndRecordIntents,
  RATE_LIMITED_NOT_SENT,
  recordQuietly,
  unsentFrom,
} from './intents.ts';
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

export type { MessageResult } from './records.ts';

export interface SendSmsDeps extends AdmissionDeps {
  router: Router;
  /** `SMS_ALLOWED_COUNTRIES` [`*`]: mobiles of these countries only. */
  allowedCountries?: AllowedCountries;
  store: MessageStore;
  log: Log;
  /** MessagesSubmitted and ProviderErrors (none counted without it). */
  metrics?: MetricsPort | undefined;
  /** The request's Idempotency-Key, when it has one. */
  idempotency?: IdempotencyGate | undefined;
  /** SMS_FAILOVER `on`: the other providers a part may go through, in order of preference. */
  failover?: Failover | undefined;
  /** Skips a provider that keeps failing (one per container). */
  breaker?: Breaker | undefined;
  now?: () => Date;
}

type Attempt =
  | {
      provider: string;
      positions: number[];
      outcomes: RecipientOutcome[];
      /** Sent by this provider after another surely did not send it (SMS_FAILOVER). */
      failedOver?: { from: string; code: string; at: string };
    }
  | { provider: string; positions: number[]; to: string[]; error: unknown };

/** The error that answers a request every provider refused as a whole: unknown outcomes first. */
function worst(errors: readonly unknown[]): unknown {
  return (
    errors.find((error) => !isProviderError(error) || error.outcome === 'unknown') ?? errors[0]
  );
}

/**
 * Sends one template to every recipient, each through the provider its number routes to, records
 * every message, then says per recipient, in request order, what was done. Everything a routed
 * provider cannot carry is refused before anything is sent. When every provider refused its whole
 * request, that error is the answer (nothing was sent, nothing recorded); a timeout after a request
 * was sent records its messages as `unknown` and answers `504` with their ids. When some providers
 * took their part, the others' recipients are answered per recipient. A failure to record is an
 * error the caller sees.
 */
export async function sendSms(
  request: SendSmsRequest,
  deps: SendSmsDeps,
  deadline: Deadline,
): Promise<{ messages: MessageResult[] }> {
  const now = deps.now ?? (() => new Date());
  const screened = screenRecipients(request.to, deps.allowedCountries ?? '*', 'to');
  const sendable = screened.sendable.map((position) => request.to[position] as string);
  const routedAll = routeRecipients(deps.router, sendable, 'to', screened.sendable);
  throwIfProblems(
    routedAll.flatMap(({ provider, to }) =>
      // Top-level fields: a provider's `.templateId` is the body's `templateId`.
      provider
        .check({ ...request, to }, '')
        .map((d) => ({ ...d, path: d.path.replace(/^\./, '') })),
    ),
  );

  // Each provider's part is one call with its own correlation; every message's id is fixed now.
  const calls = routedAll.map((part) => ({ ...part, correlation: newCorrelation() }));
  const identities = new Map<number, CallIdentity>();
  for (const call of calls)
    call.positions.forEach((position, k) => {
      identities.set(position, identityIn(call.correlation, call.to[k] as string));
    });
  const intentAt = now().toISOString();
  const intents = calls.flatMap((call) =>
    call.to.map((to, k) =>
      toIntent(to, identities.get(call.positions[k] as number) as CallIdentity, {
        templateId: request.templateId,
        reference: request.reference,
        provider: call.provider.name,
        submittedAt: intentAt,
      }),
    ),
  );

  // Opt-outs, per-recipient limits and the intents, in one store round trip, before any
  // provider call: whatever happens after it, every message that may be sent has a record.
  const admission = await admitOnce(
    sendable,
    intents,
    deps,
    now().getTime(),
    (gate, planned, records) =>
      answerForDeadAttempt(planned, records, {
        to: request.to,
        refused: screened.refused,
        templateId: request.templateId,
        reference: request.reference,
        gate,
        store: deps.store,
        log: deps.log,
        now,
      }),
  );
  try {
    return await sendAdmitted(admission);
  } catch (error) {
    await settleAfterError(deps.idempotency, error, deps.log);
    throw error;
  }

  async function sendAdmitted(admission: Admission): Promise<{ messages: MessageResult[] }> {
    if (admission.allOverForSeconds !== undefined && screened.refused.size === 0) {
      const unsent = unsentFrom(intents, RATE_LIMITED_NOT_SENT);
      countSubmitted(deps.metrics, unsent);
      await recordQuietly(deps, unsent);
      throw new AppError('rate_limited', 'Every recipient has had too many messages lately', {
        retryAfterSeconds: admission.allOverForSeconds,
        details: sendable.map((_, index) => ({
          path: `to[${screened.sendable[index]}]`,
          message: 'too many messages to this number in the current window (SMS_RECIPIENT_LIMIT)',
        })),
      });
    }
    const refusedAtAdmission = new Map(
      [...admission.refused].map(([index, outcome]) => [
        screened.sendable[index] as number,
        outcome,
      ]),
    );
    const units = new Map(
      [...admission.units].map(([index, unit]) => [screened.sendable[index] as number, unit]),
    );
    const admitted = new Set(admission.admitted.map((index) => screened.sendable[index] as number));
    const routed = calls
      .map((r) => {
        const keep = r.positions.flatMap((position, k) => (admitted.has(position) ? [k] : []));
        return {
          provider: r.provider,
          correlation: r.correlation,
          positions: keep.map((k) => r.positions[k] as number),
          to: keep.map((k) => r.to[k] as string),
        };
      })
      .filter((r) => r.to.length > 0);

    /** One provider's call for one part (skipped while its breaker is open). */
    const sendPart = async (
      provider: SmsProvider,
      { correlation, positions, to }: { correlation: string; positions: number[]; to: string[] },
    ): Promise<Attempt> => {
      if (deps.breaker?.isOpen(provider.name)) {
        const error = new ProviderError(
          'provider_unavailable',
          `${provider.name} keeps failing: skipped for now; nothing was sent`,
          { outcome: 'not_sent' },
        );
        // Counted as the outage it stands for: the alarm stays on while the breaker skips.
        countProviderError(deps.metrics, provider.name, error);
        return { provider: provider.name, positions, to, error };
      }
      try {
        const sent = await provider.send(
          {
            to,
            templateId: request.templateId,
            templateParas: request.templateParas,
            signature: request.signature,
            reference: request.reference,
            correlation,
          },
          deadline,
        );
        deps.breaker?.succeeded(provider.name);
        const { outcomes, mismatched } = matchOutcomes(to, sent);
        if (mismatched > 0) {
          deps.log.error('provider answer did not cover every recipient', {
            provider: provider.name,
            mismatched,
          });
        }
        return { provider: provider.name, positions, outcomes };
      } catch (error) {
        // A refusal of this request (credentials, a template) says nothing of the provider's
        // health: only outages, throttling and timeouts open its breaker.
        if (!isProviderError(error) || error.code !== 'provider_rejected')
          deps.breaker?.failed(provider.name);
        deps.log.warn('provider refused the request', {
          provider: provider.name,
          code: (error as { code?: unknown }).code,
          providerCode: isProviderError(error) ? error.providerCode : undefined,
          providerMessage: isProviderError(error) ? error.providerMessage : undefined,
          outcome: isProviderError(error) ? error.outcome : 'unknown',
          recipients: to.length,
        });
        countProviderError(deps.metrics, provider.name, error);
        return { provider: provider.name, positions, to, error };
      }
    };

    /**
     * SMS_FAILOVER: a part its provider surely did not send (refused as a whole, unavailable or
     * throttled after the retries) goes through another provider that has the template, under
     * the same correlation (so the same ids, and its reports find them). Never after an
     * unknown outcome, never for a per-recipient refusal or throttle (those are outcomes).
     */
    const withFailover = async (part: (typeof routed)[number]): Promise<Attempt> => {
      const first = await sendPart(part.provider, part);
      if (!('error' in first) || !deps.failover || !canFailOver(first.error)) return first;
      const others = await deps.failover.alternatives(part.provider.name);
      const other = others.find(
        (candidate) =>
          !deps.breaker?.isOpen(candidate.name) &&
          candidate.check({ ...request, to: part.to }, '').length === 0,
      );
      if (!other) return first;
      try {
        // The intents name the provider that will carry them: a crash now leaves them right.
        await deps.store.recordMessages(
          part.to.map((to, k) =>
            toIntent(to, identities.get(part.positions[k] as number) as CallIdentity, {
              templateId: request.templateId,
              reference: request.reference,
              provider: other.name,
              submittedAt: now().toISOString(),
            }),
          ),
        );
      } catch {
        return first;
      }
      const code = (first.error as ProviderError).code;
      const failedAt = now().toISOString();
      deps.log.warn('failing over', { from: part.provider.name, to: other.name, code });
      const second = await sendPart(other, part);
      if ('error' in second) return second;
      return { ...second, failedOver: { from: part.provider.name, code, at: failedAt } };
    };

    // Every provider's part runs to its end, whatever another's does: a part that was sent must be
    // recorded even when another part failed in a way nobody expected.
    const attempts = await Promise.all(routed.map(withFailover));

    const failures = attempts.filter((a) => 'error' in a);
    // Every provider part failed and no recipient was refused before: the error answers the request.
    // (With refused recipients, or none sent at all, every one is answered per recipient below.)
    const allFailed =
      attempts.length > 0 &&
      failures.length === attempts.length &&
      screened.refused.size === 0 &&
      refusedAtAdmission.size === 0;
    const cause = allFailed ? worst(failures.map((f) => f.error)) : undefined;
    // Refused as a whole everywhere, and surely not sent: the intents say so, the error answers.
    if (allFailed && isProviderError(cause) && cause.outcome !== 'unknown') {
      const unsent = unsentFrom(intents, {
        code: cause.code,
        message: 'the provider refused the request',
      });
      countSubmitted(deps.metrics, unsent);
      await Promise.all([giveBackQuietly(deps, [...units.values()]), recordQuietly(deps, unsent)]);
      throw cause;
    }
    // Otherwise something may have gone out: record everything, then answer.
    const unknownCause = allFailed ? cause : undefined;

    const at = now().toISOString();
    const records = new Array<MessageRecord>(request.to.length);
    for (const [position, outcome] of screened.refused) {
      records[position] = toRecord(outcome, {
        templateId: request.templateId,
        reference: request.reference,
        provider: 'none',
        submittedAt: at,
      });
    }
    // Refused after its intent was written: the same id, so the refusal replaces the intent.
    for (const [position, outcome] of refusedAtAdmission) {
      const { messageId } = identities.get(position) as CallIdentity;
      records[position] = {
        ...toRecord(outcome, {
          templateId: request.templateId,
          reference: request.reference,
          provider: 'none',
          submittedAt: at,
        }),
        messageId,
      };
    }
    for (const attempt of attempts) {
      const outcomes =
        'error' in attempt ? failedOutcomes(attempt.to, attempt.error) : attempt.outcomes;
      const context = {
        templateId: request.templateId,
        reference: request.reference,
        provider: attempt.provider,
        submittedAt: at,
        ...('failedOver' in attempt && attempt.failedOver
          ? { failedOver: attempt.failedOver }
          : {}),
      };
      outcomes.forEach((outcome, k) => {
        const position = attempt.positions[k] as number;
        records[position] = toRecord(outcome, context, identities.get(position));
      });
      await giveBackQuietly(
        deps,
        unsentUnits(
          outcomes.map((outcome, k) => ({ index: attempt.positions[k] as number, outcome })),
          units,
        ),
      );
    }
    const result = { messages: records.map(toResult) };
    countSubmitted(deps.metrics, records);
    try {
      // The key's answer is written beside the records: if they fail, the error replaces it.
      await Promise.all([
        deps.store.recordMessages(records),
        deps.idempotency?.complete({ kind: 'ok', body: result }),
      ]);
    } catch (error) {
      deps.log.error('messages submitted but not recorded', {
        reason: (error as Error).message,
        count: records.length,
      });
      // Their intents were recorded before the call: each id already reads as `unknown`, and its
      // reports (or reconciliation) resolve it.
      throw new AppError(
        'internal',
        'The messages were submitted to the provider but their outcome could not be recorded: do not resend them',
        {
          details: records.map((record, index) => ({
            path: `to[${index}]`,
            message: `submitted with status ${record.status}; recorded as unknown until its reports come`,
            messageId: record.messageId,
          })),
          cause: error,
        },
      );
    }
    deps.log.info('sms submitted', {
      templateId: maskNumbersIn(request.templateId),
      results: records.map((r) => ({
        messageId: r.messageId,
        provider: r.provider,
        to: maskPhone(r.to),
        status: r.status,
      })),
    });

    if (unknownCause) {
      const details: ErrorDetail[] = records.map((record, index) => ({
        path: `to[${index}]`,
        message:
          record.status === 'unknown'
            ? 'outcome unknown: the provider may have accepted this message; it was not resent'
            : `${record.status}: not sent`,
        messageId: record.messageId,
      }));
      const message = isProviderError(unknownCause)
        ? unknownCause.message
        : 'The provider call failed after it may have been sent; the messages may have been accepted';
      throw new AppError('provider_timeout', message, {
        details,
        cause: unknownCause,
      });
    }
    return result;
  }
}

/**
 * The units a replay took fresh for numbers its first answer says were surely not sent
 * (`rejected`, `not_sent`): what that attempt gave back. An error answer (an unknown outcome)
 * keeps them all.
 */
function unsentInAnswer(outcome: StoredOutcome, units: readonly TakenUnit[]): TakenUnit[] {
  if (outcome.kind !== 'ok') return [];
  const messages = (outcome.body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return [];
  const sent = new Set<string>();
  const unsent = new Set<string>();
  for (const message of messages as Array<{ to?: unknown; status?: unknown }>) {
    if (typeof message?.to !== 'string') continue;
    if (message.status === 'rejected' || message.status === 'not_sent') unsent.add(message.to);
    else sent.add(message.to);
  }
  return units.filter((unit) => unit.fresh && unsent.has(unit.number) && !sent.has(unit.number));
}

/**
 * The checks before the send (`admitAndRecordIntents`) and the Idempotency-Key's claim, in the
 * same round trip. A claim that is not this request's undoes the rest (the units are given back,
 * the intents removed) and answers for the key: the first answer again, a conflict, or "still
 * running"; a claim taken over from an attempt that died answers for that attempt's messages
 * from what it recorded of them (`answerForDead`), never sending them again, unless it surely
 * sent none of them: then this request, the key's owner now, sends its own.
 */
async function admitOnce(
  numbers: readonly string[],
  intents: readonly MessageRecord[],
  deps: SendSmsDeps,
  nowMs: number,
  answerForDead: (
    gate: IdempotencyGate,
    planned: readonly string[],
    records: ReadonlyArray<MessageRecord | undefined>,
  ) => Promise<never>,
): Promise<Admission> {
  const gate = deps.idempotency;
  if (!gate) return admitAndRecordIntents(numbers, intents, deps, nowMs);
  const [admitted, claimed] = await Promise.allSettled([
    admitAndRecordIntents(numbers, intents, { ...deps, holder: gate.holder }, nowMs),
    gate.claim(intents.map((intent) => intent.messageId)),
  ]);
  const abandoned =
    claimed.status === 'fulfilled' && claimed.value.kind === 'abandoned'
      ? claimed.value
      : undefined;
  // A claim taken over from an attempt that died: what that attempt recorded decides.
  const earlier = abandoned ? await readDeadAttempt(abandoned.planned, deps) : undefined;
  if (claimed.status === 'fulfilled' && claimed.value.kind === 'claimed') {
    if (admitted.status === 'fulfilled') return admitted.value;
    await settleAfterError(gate, admitted.reason, deps.log);
    throw admitted.reason;
  }
  if (earlier && sentNone(earlier)) {
    // The claim of an attempt that surely sent nothing: nothing to answer for, so this request
    // sends its own messages as the key's owner, once the key names them (until then it names
    // the dead attempt's, all unsent: a failure here sends nothing and leaves the key so).
    if (admitted.status === 'rejected') {
      await settleAfterError(gate, admitted.reason, deps.log);
      throw admitted.reason;
    }
    let named: boolean;
    try {
      named = await gate.replan(intents.map((intent) => intent.messageId));
    } catch (error) {
      await undoAdmission(deps, admitted.value, intents);
      throw error;
    }
    if (named) return admitted.value;
    // Another request holds the key now: it answers for it.
    await undoAdmission(deps, admitted.value, intents);
    return refuseClaim({ kind: 'in_progress', retryAfterSeconds: 1 });
  }
  if (admitted.status === 'fulfilled') {
    // The units are the key's owner's too (same holder): only another body gives its own back,
    // and a replay (or an answer for a dead attempt) those it took afresh for numbers the first
    // attempt surely did not send (it gave them back). A fresh unit of a number that was sent
    // stays: this call's take can have come first, and the sent message then counts under it.
    // Without an answer from the ledger nothing is given back: a unit held too long only
    // over-counts its number for the window, one given back wrongly lets a number past it.
    const units = [...admitted.value.units.values()];
    const own =
      claimed.status === 'rejected'
        ? []
        : claimed.value.kind === 'conflict'
          ? units.filter((unit) => unit.fresh)
          : claimed.value.kind === 'replay'
            ? unsentInAnswer(claimed.value.outcome, units)
            : earlier
              ? unsentInRecords(earlier, units)
              : [];
    await Promise.all([giveBackQuietly(deps, own), discardQuietly(deps, intents)]);
  }
  if (claimed.status === 'rejected') throw claimed.reason;
  const result = claimed.value;
  if (result.kind === 'claimed') throw new Error('unreachable');
  if (result.kind === 'abandoned') return answerForDead(gate, result.planned, earlier ?? []);
  return refuseClaim(result);
}

/** Gives back the units this request took afresh and removes its intents: it sends nothing. */
function undoAdmission(
  deps: SendSmsDeps,
  admission: Admission,
  intents: readonly MessageRecord[],
): Promise<unknown> {
  return Promise.all([
    giveBackQuietly(
      deps,
      [...admission.units.values()].filter((unit) => unit.fresh),
    ),
    discardQuietly(deps, intents),
  ]);
}

/** Removes this request's intents (it sends none of them); a failure is logged. */
function discardQuietly(
  deps: Pick<SendSmsDeps, 'store' | 'log'>,
  intents: readonly MessageRecord[],
): Promise<void> {
  return deps.store
    .discardMessages(intents.map((intent) => intent.messageId))
    .catch((error: unknown) =>
      deps.log.warn('intents not removed', { reason: (error as Error).message }),
    );
}

/** The units taken fresh for numbers a dead attempt's records say it surely did not send. */
function unsentInRecords(
  records: ReadonlyArray<MessageRecord | undefined>,
  units: readonly TakenUnit[],
): TakenUnit[] {
  const unsent = new Set(
    records.flatMap((record) =>
      record &&
      record.phase !== 'sending' &&
      (record.status === 'not_sent' || record.status === 'rejected')
        ? [record.to]
        : [],
    ),
  );
  return units.filter((unit) => unit.fresh && unsent.has(unit.number));
}
