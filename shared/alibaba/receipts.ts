import type { PushAnswer, PushReceiver, PushRequest, PushVerdict } from '../ports/push.ts';
import { safeEqual } from '../util/safeEqual.ts';
import { parseAlibabaReceipts } from './receiptParse.ts';

/** At most one forced secret refetch in this long, whatever forged pushes arrive. */
const REFRESH_INTERVAL_MS = 60_000;

// Alibaba checks that `code` is a number; anything else (or no answer in ~700 ms) is retried.
const OK: PushAnswer = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"code":0,"msg":"OK"}',
};

/** Where the receiver finds the receipt token, and its clock. */
export interface AlibabaReceiverOptions {
  /**
   * The secret's `alibaba` slice (cached by the caller; `refresh` refetches it); undefined when
   * the secret holds none (this deployment does not use Alibaba: every push is refused).
   */
  secret: (options?: { refresh?: boolean }) => Promise<{ receiptToken: string } | undefined>;
  now?: () => number;
}

function tokenOf(query: string): string | undefined {
  return new URLSearchParams(query).get('token') ?? undefined;
}

/**
 * Alibaba's receipt pushes on `/alibaba`. They are not signed: the URL configured in the console
 * carries the secret's `receiptToken` as `token`, compared in constant time. A mismatch refetches
 * the secret (at most once a minute) so a rotated token does not turn genuine receipts away.
 */
export function createAlibabaReceiver(options: AlibabaReceiverOptions): PushReceiver {
  const now = options.now ?? Date.now;
  let lastRefresh = Number.NEGATIVE_INFINITY;
  return {
    provider: 'alibaba',
    path: '/alibaba',
    probe(request: PushRequest): PushAnswer | undefined {
      // The console's connectivity check: a GET that must get the push answer, at once.
      return request.method.toUpperCase() === 'GET'
        ? { ...OK, headers: { ...OK.headers } }
        : undefined;
    },
    async authenticate(request: PushRequest): Promise<PushVerdict> {
      const token = tokenOf(request.query);
      if (!token) return { ok: false, reason: 'the token query parameter is missing' };
      const cached = await options.secret();
      if (cached && safeEqual(token, cached.receiptToken)) return { ok: true, by: 'account' };
      const refused = cached ? 'wrong token' : 'the secret holds no alibaba part';
      if (now() - lastRefresh < REFRESH_INTERVAL_MS) return { ok: false, reason: refused };
      lastRefresh = now();
      const fresh = await options.secret({ refresh: true });
      if (!fresh) return { ok: false, reason: 'the secret holds no alibaba part' };
      return safeEqual(token, fresh.receiptToken)
        ? { ok: true, by: 'account' }
        : { ok: false, reason: 'wrong token' };
    },
    parse(request: PushRequest) {
      return parseAlibabaReceipts(Buffer.from(request.body).toString('utf8'));
    },
    acknowledge(): PushAnswer {
      return { ...OK, headers: { ...OK.headers } };
    },
  };
}
