import { isProviderError } from '../errors.ts';
import type { RecipientOutcome } from '../ports/provider.ts';

/**
 * What a whole-request failure means for each of its recipients: `unknown` when it may have been
 * sent (or when the failure is not a provider verdict at all: a bug below the client says nothing
 * about the wire), `rejected` when the provider refused it, `not_sent` when it surely never went
 * out (unavailable, throttled): safe to send again.
 */
export function failedOutcomes(to: readonly string[], error: unknown): RecipientOutcome[] {
  if (!isProviderError(error) || error.outcome === 'unknown') {
    return to.map((number) => ({ to: number, status: 'unknown' as const }));
  }
  const detail = { code: error.providerCode ?? error.code, message: error.message };
  return to.map((number): RecipientOutcome => {
    if (error.code === 'provider_rejected')
      return { to: number, status: 'rejected', error: detail };
    return { to: number, status: 'not_sent', error: detail };
  });
}
