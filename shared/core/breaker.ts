/**
 * A short circuit breaker per provider, per container: after `threshold` whole-request failures
 * in a row that surely sent nothing, the provider is skipped for `openMs` (its calls fail at once,
 * and fail over when failover is on); then one call is let through to try it again.
 */
export interface Breaker {
  /** True while calls to `provider` should be skipped. */
  isOpen(provider: string): boolean;
  succeeded(provider: string): void;
  failed(provider: string): void;
}

export function createBreaker(
  options: { threshold?: number; openMs?: number; now?: () => number } = {},
): Breaker {
  const threshold = options.threshold ?? 3;
  const openMs = options.openMs ?? 30_000;
  const now = options.now ?? Date.now;
  const state = new Map<string, { failures: number; openUntil: number }>();
  return {
    isOpen(provider) {
      const entry = state.get(provider);
      if (!entry || entry.openUntil === 0) return false;
      if (now() < entry.openUntil) return true;
      // Half open: this call tries it; one more failure opens it again.
      entry.openUntil = 0;
      entry.failures = threshold - 1;
      return false;
    },
    succeeded(provider) {
      state.delete(provider);
    },
    failed(provider) {
      const entry = state.get(provider) ?? { failures: 0, openUntil: 0 };
      entry.failures += 1;
      if (entry.failures >= threshold) entry.openUntil = now() + openMs;
      state.set(provider, entry);
    },
  };
}
