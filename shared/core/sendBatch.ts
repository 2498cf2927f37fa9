import {
  type BatchLimits,
  envelopeBytes,
  HUAWEI_BATCH_LIMITS,
  planChunks,
  type Segment,
} from '../batch/plan.ts';
import type { AppError } from '../errors.ts';
import type { Log } from '../logger.ts';
import { isProviderError, type RecipientOutcome, type SmsGroup } from '../provider.ts';
import type { SendBatchRequest } from '../schemas/sendBatch.ts';
import type { MessageRecord, MessageStore } from '../store/types.ts';
import type { Deadline } from '../util/deadline.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import { type MessageResult, type SubmitOutcome, toRecord, toResult } from './records.ts';

/** A provider that takes several groups in one request (Huawei `batchSendDiffSms`). */
export interface GroupSender {
  readonly name: string;
  sendGroups(
    groups: readonly SmsGroup[],
    common: { statusCallback?: string | undefined; extend?: string | undefined },
    deadline: Deadline,
  ): Promise<RecipientOutcome[][]>;
}

export interface SendBatchDeps {
  provider: GroupSender;
  store: MessageStore;
  statusCallbackUrl: () => Promise<string | undefined>;
  log: Log;
  /** Requests in flight at once over the shared keep-alive pool (BATCH_CONCURRENCY). */
  concurrency: number;
  /** A request is not started with less time than this left: its recipients are `not_sent`. */
  minRequestMs?: number;
  limits?: BatchLimits;
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

/** What a whole-request failure means for each of its recipients. */
function failedOutcomes(segments: readonly Segment[], error: unknown): SubmitOutcome[][] {
  // Anything but a provider verdict (a bug, a fault below the client) says nothing about whether
  // the request went out: unknown, never resent.
  if (!isProviderError(error))
    return segments.map((segment) => segment.to.map((to) => ({ to, status: 'unknown' as const })));
  const detail = { code: error.providerCode ?? error.code, message: error.message };
  return segments.map((segment) =>
    segment.to.map((to): SubmitOutcome => {
      if (error.outcome === 'unknown') return { to, status: 'unknown' };
      if (error.code === 'provider_rejected') return { to, status: 'rejected', error: detail };
      return { to, status: 'not_sent', error: detail }; // unavailable or throttled: surely not sent
    }),
  );
}

/**
 * Sends many groups in as few `batchSendDiffSms` requests as Huawei's limits allow, several at a
 * time, and answers per group, per recipient, in request order. A failed request does not lose
 * the others; a request there is no time left for is not started and its recipients are
 * `not_sent` (never sent, safe to send again). Every message is recorded as its request returns;
 * one whose record failed is still answered, and listed in `notRecorded`.
 */
export async function sendBatch(
  request: SendBatchRequest,
  deps: SendBatchDeps,
  deadline: Deadline,
): Promise<BatchResult> {
  const now = deps.now ?? (() => new Date());
  const provider = deps.provider.name;
  const minRequestMs = deps.minRequestMs ?? DEFAULT_MIN_REQUEST_MS;
  const statusCallback = await deps.statusCallbackUrl();
  const chunks = planChunks(
    request.messages,
    deps.limits ?? HUAWEI_BATCH_LIMITS,
    envelopeBytes(statusCallback, request.reference),
  );
  // Filled by position as requests return, in whatever order they return.
  const records: MessageRecord[][] = request.messages.map((group) => new Array(group.to.length));
  const unrecorded = new Set<string>();
  let started = 0;

  await mapWithConcurrency(chunks, deps.concurrency, async (segments) => {
    let outcomes: SubmitOutcome[][];
    if (deadline.remainingMs() < minRequestMs) {
      const detail = {
        code: 'deadline',
        message: 'no time left in this call to send it; safe to send again',
      };
      outcomes = segments.map((segment) =>
        segment.to.map((to) => ({ to, status: 'not_sent' as const, error: detail })),
      );
    } else {
      started += 1;
      try {
        outcomes = await deps.provider.sendGroups(
          segments,
          { statusCallback, extend: request.reference },
          deadline,
        );
      } catch (error) {
        deps.log.warn('batch request failed', {
          code: (error as AppError).code,
          providerCode: (error as { providerCode?: string }).providerCode,
          recipients: segments.reduce((sum, s) => sum + s.to.length, 0),
        });
        outcomes = failedOutcomes(segments, error);
      }
    }
    const submittedAt = now().toISOString();
    const chunkRecords = segments.flatMap((segment, i) => {
      const context = {
        templateId: segment.templateId,
        reference: request.reference,
        provider,
        submittedAt,
      };
      const made = (outcomes[i] ?? []).map((outcome) => toRecord(outcome, context));
      const slots = records[segment.group] ?? [];
      made.forEach((record, k) => {
        slots[segment.start + k] = record;
      });
      return made;
    });
    try {
      await deps.store.recordMessages(chunkRecords);
    } catch (error) {
      deps.log.error('batch messages not recorded', {
        reason: (error as Error).message,
        count: chunkRecords.length,
      });
      for (const record of chunkRecords) unrecorded.add(record.messageId);
    }
  });

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
