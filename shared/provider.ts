import { AppError, isAppError } from './errors.ts';
import type { Deadline } from './util/deadline.ts';

/** What happened to one recipient at submit time. */
export type RecipientOutcome =
  | { to: string; status: 'accepted'; providerMessageId: string }
  | { to: string; status: 'rejected'; error: { code: string; message: string } }
  | { to: string; status: 'unknown' };

/** One template to a list of numbers, provider-neutral. */
export interface OutboundSms {
  to: readonly string[];
  templateId: string;
  templateParas?: readonly string[] | undefined;
  signature?: string | undefined;
  statusCallback?: string | undefined;
  /** Echoed back in delivery reports (the caller's `reference`). */
  extend?: string | undefined;
}

/** One template to a list of numbers, as one group of a multi-template request. */
export interface SmsGroup {
  to: readonly string[];
  templateId: string;
  templateParas?: readonly string[] | undefined;
  signature?: string | undefined;
}

/** An SMS provider: submits messages and says, per recipient, what it did. */
export interface SmsProvider {
  readonly name: string;
  /** Outcomes in the order of `sms.to`; throws ProviderError when the request as a whole failed. */
  send(sms: OutboundSms, deadline: Deadline): Promise<RecipientOutcome[]>;
}

type ProviderErrorCode =
  | 'provider_rejected'
  | 'provider_unavailable'
  | 'provider_timeout'
  | 'rate_limited';

/**
 * The provider refused or could not take a whole request. `outcome` says whether anything may have
 * been sent: `not_sent` is safe to send again, `unknown` must never be resent automatically.
 */
export class ProviderError extends AppError {
  readonly providerCode: string | undefined;
  /** The provider's own text, for logs (never shown to API callers). */
  readonly providerMessage: string | undefined;
  readonly outcome: 'not_sent' | 'unknown';
  /** An authentication failure: the credentials may have been rotated. */
  readonly authFailure: boolean;

  constructor(
    code: ProviderErrorCode,
    message: string,
    options: {
      providerCode?: string;
      providerMessage?: string;
      outcome?: 'not_sent' | 'unknown';
      authFailure?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.providerCode = options.providerCode;
    this.providerMessage = options.providerMessage;
    this.outcome = options.outcome ?? 'not_sent';
    this.authFailure = options.authFailure ?? false;
  }
}

/** True for a ProviderError, even one from a duplicated copy of this module. */
export function isProviderError(error: unknown): error is ProviderError {
  return isAppError(error) && typeof (error as { outcome?: unknown }).outcome === 'string';
}
