import type { MessageStatus } from '../delivery/status.ts';

/**
 * The receiving half of the provider port: a provider authenticates, reads and acknowledges its
 * own pushes (delivery reports, replies) and maps its statuses to ours. The core stores what they
 * carry and never names a provider.
 */

/**
 * Most parts one message may have: concatenated SMS number their parts in one byte (1-255). A
 * report claiming more is refused (`400` naming it, nothing stored), so no number of forged or
 * oversized reports can grow a message without bound.
 */
export const MAX_PARTS = 255;

/** One delivery report, provider-neutral (one per part of a long SMS where the provider says so). */
export interface DeliveryReport {
  provider: string;
  /** The provider's id as shown to callers. */
  providerMessageId: string;
  /** What finds the message: `RecipientOutcome.trackingId ?? providerMessageId` at submit. */
  trackingId: string;
  /** The provider's own status or code (`DELIVRD`, `DELIVERED`, `UNDELIV`, `1`...). */
  providerStatus: string;
  /** Ours, mapped by the provider: `accepted` while still on its way. */
  status: 'accepted' | 'delivered' | 'failed' | 'expired';
  /** Parts of the message (1 for a short SMS or a per-message report) and which one this is. */
  total: number;
  sequence: number;
  /** When the provider says the status changed (ISO 8601), if it says. */
  updatedAt?: string | undefined;
  statusDesc?: string | undefined;
  orgCode?: string | undefined;
  source?: string | undefined;
  /** The `reference` the request carried, as echoed back. */
  extend?: string | undefined;
  /** The recipient (E.164), when the report says. */
  to?: string | undefined;
  /**
   * The correlation of the call that sent it, when the report brings it back: with `to`, it
   * names the message (`messageIdOf`) without a lookup, whether or not the submit was answered.
   */
  correlation?: string | undefined;
}

/** A reply from a phone (uplink / MO message). */
export interface InboundMessage {
  provider: string;
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
  createdAt?: string | undefined;
}

/** One problem with an entry of a push: where and what. */
export interface PushProblem {
  path: string;
  message: string;
}

/** What one push carried: the valid reports, the invalid entries, and any replies. */
export interface Push {
  reports: DeliveryReport[];
  inbound: InboundMessage[];
  invalid: PushProblem[];
}

/** A push as it arrived: the bytes are exactly what the sender signed. */
export interface PushRequest {
  method: string;
  /** The path as received, below the callback's base path for this provider. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Uint8Array;
}

/** An HTTP answer to a push. */
export interface PushAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/**
 * How a push was authenticated, which says what it may speak for:
 * - `request`: a token bound to one call (its `correlation`): that call's messages only;
 * - `signature`: the provider's own signature (pushing keys): anything of the application;
 * - `account`: the account's one receipt token (Alibaba has nothing finer): anything it sent;
 * - `app`: the application-level token: replies and batch reports, never a message sent with a
 *   per-request token.
 */
export type PushAuthority = 'request' | 'signature' | 'account' | 'app';

export type PushVerdict =
  | {
      ok: true;
      by: PushAuthority;
      correlation?: string | undefined;
      /**
       * The push's URL is bound to its call's one recipient: a report about a number this
       * accepts is that call's own message (no lookup needed to know it); any other is foreign.
       */
      onlyFor?: ((to: string) => boolean) | undefined;
    }
  | { ok: false; reason: string };

/** One provider's push endpoint. */
export interface PushReceiver {
  readonly provider: string;
  /** The path this provider pushes to under the callback URL: `/` or `/alibaba`. */
  readonly path: string;
  /** The answer to a request that is not a push (Alibaba's `GET` check); undefined when none. */
  probe?(request: PushRequest): PushAnswer | undefined;
  /** Decides whether the push really comes from the provider (constant-time comparisons). */
  authenticate(request: PushRequest, now: Date): Promise<PushVerdict>;
  /** Reads the push; throws `invalid_request` when nothing in it can be read. */
  parse(request: PushRequest): Push;
  /** The answer that tells the provider everything was stored. */
  acknowledge(result: { received: number; changed: number }): PushAnswer;
}

/** Maps a status the provider reported to ours (terminal statuses are final). */
export type StatusMapper = (
  providerStatus: string,
) => Extract<MessageStatus, 'accepted' | 'delivered' | 'failed' | 'expired'>;
