import { isProviderError } from '../errors.ts';
import type { SmsProvider } from '../ports/provider.ts';

/** SMS_FAILOVER `on`: the other providers a request may go through, in order of preference. */
export interface Failover {
  alternatives(provider: string): Promise<SmsProvider[]>;
}

/**
 * Whole-request failures after which nothing was sent, and another provider may try: refused as
 * a whole (credentials, configuration), unavailable or throttled after the retries. Never an
 * unknown outcome, never a per-recipient refusal or throttle (those are outcomes, not errors).
 */
export function canFailOver(error: unknown): boolean {
  return (
    isProviderError(error) &&
    error.outcome === 'not_sent' &&
    (error.code === 'provider_rejected' ||
      error.code === 'provider_unavailable' ||
      error.code === 'rate_limited')
  );
}
