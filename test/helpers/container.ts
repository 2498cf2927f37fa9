import type { Handler } from 'aws-lambda';
import { vi } from 'vitest';
import type { ReconcileResult } from '../../shared/core/reconcile.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The API handlers of one container, and its reconciliation run at the clock a test says. */
export interface Container {
  handlers: Record<'sendSms' | 'statusCallback' | 'getMessage', Handler>;
  runReconcile: (now: Date) => Promise<ReconcileResult>;
}

/**
 * A fresh container (modules loaded anew) with `env` in process.env: the real handlers, and the
 * real core, store and providers of reconciliation with an injected clock (expiry after 78 h,
 * rechecks every 15 min, as deployed).
 */
export async function loadContainer(env: Record<string, string>): Promise<Container> {
  vi.resetModules();
  Object.assign(process.env, env);
  const handlers = {
    sendSms: (await import('../../functions/sendSms.ts')).handler as Handler,
    statusCallback: (await import('../../functions/statusCallback.ts')).handler as Handler,
    getMessage: (await import('../../functions/getMessage.ts')).handler as Handler,
  };
  const { reconcile } = await import('../../shared/core/reconcile.ts');
  const { messageStore } = await import('../../shared/deps/store.ts');
  const { providerNamed } = await import('../../shared/deps/router.ts');
  const { deadlineIn } = await import('../../shared/util/deadline.ts');
  const log = { info() {}, warn() {}, error() {}, debug() {} };
  return {
    handlers,
    runReconcile: (now) =>
      reconcile(
        {
          store: messageStore(),
          provider: providerNamed,
          log,
          expireAfterMs: 78 * HOUR,
          recheckMs: 15 * MINUTE,
          now: () => now,
        },
        deadlineIn(60_000),
      ),
  };
}
