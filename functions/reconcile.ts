import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ReconcileResult, reconcile } from '../shared/core/reconcile.ts';
import { appConfig } from '../shared/deps/config.ts';
import { metrics, publishMetrics } from '../shared/deps/metrics.ts';
import { providerNamed } from '../shared/deps/router.ts';
import { messageStore } from '../shared/deps/store.ts';
import { logContext } from '../shared/logContext.ts';
import { logger } from '../shared/logger.ts';
import { deadlineFromLambda } from '../shared/util/deadline.ts';

/** Time kept back from the Lambda deadline to finish the messages in hand. */
const RESERVE_MS = 5_000;

/**
 * The scheduled reconciliation (EventBridge Scheduler): every message no report has made final
 * is looked at when due, asked about where its provider can tell, and made `expired` when its
 * window has passed. Returns the run's counts.
 */
export const handler = middy<unknown, ReconcileResult, Error, Context>()
  .use(logContext(logger))
  .use(publishMetrics())
  .handler(async (_event, context) => {
    const config = appConfig();
    return reconcile(
      {
        store: messageStore(),
        provider: providerNamed,
        log: logger,
        metrics,
        expireAfterMs: config.expireAfterMs,
        recheckMs: config.reconcileAfterMs,
      },
      deadlineFromLambda(context, RESERVE_MS),
    );
  });
