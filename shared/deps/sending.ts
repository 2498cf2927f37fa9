import { logger } from '../logger.ts';
import { appConfig } from './config.ts';
import { recipientCounters } from './counters.ts';
import { metrics } from './metrics.ts';
import { optOutStore } from './optOuts.ts';
import { alternativesTo, providerRouter } from './router.ts';
import { messageStore } from './store.ts';

/**
 * What every send path (`POST /sms`, `POST /sms/batch`, reminders) is wired with, once per
 * container: the providers and routes, the destination policy, the opt-outs and recipient limit,
 * the store, logs and metrics, and failover when `SMS_FAILOVER` is on.
 */
export async function sendingDeps() {
  return {
    router: await providerRouter(),
    allowedCountries: appConfig().allowedCountries,
    counters: recipientCounters(),
    optOuts: optOutStore(),
    store: messageStore(),
    log: logger,
    metrics,
    failover: appConfig().failover ? { alternatives: alternativesTo } : undefined,
  };
}
