import type { PushVerdict } from '../ports/push.ts';
import { authenticatePush } from './callbackAuth.ts';
import type { WireRequest } from './canonical.ts';
import type { HuaweiSecret } from './secret.ts';

/** At most one forced secret refetch per container in this long, whatever forged pushes arrive. */
const REFRESH_INTERVAL_MS = 60_000;

/**
 * Verifies pushes against the cached secret, and once more against a freshly fetched one when
 * that fails: a pushing key or callback token rotated since the cache was filled must not turn
 * genuine reports away. The refetch is rate-limited so forged pushes cannot hammer Secrets Manager.
 */
export function createPushVerifier(
  secret: (options?: { refresh?: boolean }) => Promise<HuaweiSecret | undefined>,
  now: () => number = Date.now,
): (request: WireRequest, at: Date) => Promise<PushVerdict> {
  let lastRefresh = Number.NEGATIVE_INFINITY;
  // A deployment without Huawei credentials refuses every Huawei push (401), never a 5xx.
  const check = (request: WireRequest, current: HuaweiSecret | undefined, at: Date): PushVerdict =>
    current
      ? authenticatePush(request, current, at)
      : { ok: false, reason: 'the secret holds no huawei part' };
  return async (request, at) => {
    const verdict = check(request, await secret(), at);
    if (verdict.ok || now() - lastRefresh < REFRESH_INTERVAL_MS) return verdict;
    lastRefresh = now();
    return check(request, await secret({ refresh: true }), at);
  };
}
