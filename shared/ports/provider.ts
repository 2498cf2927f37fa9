import type { ErrorDetail } from '../errors.ts';
import type { Deadline } from '../util/deadline.ts';

/**
 * The sending half of the provider port. A provider (one folder of `shared/`: `huawei/`,
 * `alibaba/`) implements it; the use cases call it and never name a provider. Whole-request
 * failures throw a `ProviderError` (`shared/errors.ts`) whose `outcome` says whether anything may
 * have been sent.
 */

/** What happened to one recipient at submit time. */
export type RecipientOutcome =
  | {
      to: string;
      status: 'accepted';
      /** The provider's id as shown to callers (Huawei `smsMsgId`, Alibaba `BizId`/`MessageId`). */
      providerMessageId: string;
      /**
       * What this message's reports bring back to find it, when it differs from
       * `providerMessageId` (Alibaba 2017 shares one `BizId` per request: `BizId` + number).
       */
      trackingId?: string | undefined;
      /**
       * No per-request callback went with it: its reports come authenticated by the
       * application-level token only (Huawei's batch reports to the console's URL).
       */
      appReports?: true | undefined;
    }
  | { to: string; status: 'rejected'; error: { code: string; message: string } }
  | { to: string; status: 'unknown' }
  /** The request carrying this recipient surely never reached the provider: safe to send again. */
  | { to: string; status: 'not_sent'; error?: { code: string; message: string } | undefined };

/** One template to a list of numbers (`POST /sms`). */
export interface OutboundSms {
  to: readonly string[];
  /** The caller's template name: a registry entry, or (Huawei) a provider template id as is. */
  templateId: string;
  templateParas?: readonly string[] | undefined;
  signature?: string | undefined;
  /** The caller's `reference`: travels with the request and comes back on its reports. */
  reference?: string | undefined;
  /**
   * This call's correlation (`shared/messageId.ts`), chosen before the call: every request of
   * the call carries it so that its reports come back with it (and with the number).
   */
  correlation: string;
}

/** A slice of one group of `POST /sms/batch`: some of its numbers, all routed to one provider. */
export interface Segment {
  /** Index of the group in the request. */
  group: number;
  /** Position in the group of each number of `to`, in the same order. */
  positions: number[];
  to: string[];
  templateId: string;
  templateParas?: string[] | undefined;
  signature?: string | undefined;
}

/** What every request of one batch call shares. */
export interface BatchCommon {
  reference?: string | undefined;
}

/** What one planned request of a batch carries: the common part and its own correlation. */
export interface BatchRequest extends BatchCommon {
  correlation: string;
}

/** What the service knows of a message whose final status no report has told yet. */
export interface QueryTarget {
  to: string;
  templateId: string;
  providerMessageId?: string | undefined;
  trackingId?: string | undefined;
  correlation?: string | undefined;
  reference?: string | undefined;
  /** When it was submitted (ISO 8601). */
  submittedAt: string;
}

/** What a provider's query API says of one message, in our vocabulary. */
export interface QueriedStatus {
  status: 'accepted' | 'delivered' | 'failed' | 'expired';
  providerStatus: string;
  providerMessageId?: string | undefined;
  /** When the status changed, per the provider (ISO 8601), if it says. */
  updatedAt?: string | undefined;
  description?: string | undefined;
}

/** An SMS provider: checks, plans and submits messages and says, per recipient, what it did. */
export interface SmsProvider {
  /** The name routes, records and statuses use (`huawei`, `alibaba`). */
  readonly name: string;
  /**
   * Why this provider cannot carry this template to these numbers (`template_not_available`,
   * or a parameter its template needs), as details under `path`; empty when it can. Pure: checked
   * for every recipient before anything is sent.
   */
  check(
    sms: Pick<OutboundSms, 'to' | 'templateId' | 'templateParas' | 'signature'>,
    path: string,
  ): ErrorDetail[];
  /** Submits one template to every number (splitting as its limits need); outcomes in `sms.to` order. */
  send(sms: OutboundSms, deadline: Deadline): Promise<RecipientOutcome[]>;
  /** Splits segments into requests that each respect this provider's limits, in order. */
  planBatch(segments: readonly Segment[], common: BatchCommon): Promise<Segment[][]>;
  /** Submits one planned request; outcomes per segment, in `to` order. */
  sendBatch(
    segments: readonly Segment[],
    request: BatchRequest,
    deadline: Deadline,
  ): Promise<RecipientOutcome[][]>;
  /**
   * Where the provider has a query API: what it knows of one message (undefined when it knows
   * nothing of it, or not yet). A refusal of the query throws a `ProviderError`.
   */
  query?(target: QueryTarget, deadline: Deadline): Promise<QueriedStatus | undefined>;
  /** Queries per second this provider's query API allows one account (with `query`). */
  readonly queryRate?: number;
}
