import { createHuaweiClient, type HuaweiSmsClient } from '../huawei/client.ts';
import { logger } from '../logger.ts';
import { createAgent } from '../transport/agent.ts';
import { appConfig } from './config.ts';
import { secretSource } from './secrets.ts';

let provider: HuaweiSmsClient | undefined;

/** The Huawei client with its keep-alive pool, built once per container on first use. */
export function huaweiProvider(): HuaweiSmsClient {
  if (provider) return provider;
  const { huawei } = appConfig();
  provider = createHuaweiClient({
    endpoint: huawei.endpoint,
    auth: huawei.auth,
    wsseDigest: huawei.wsseDigest,
    credentials: secretSource(),
    dispatcher: createAgent({
      connectTimeoutMs: huawei.connectTimeoutMs,
      headersTimeoutMs: huawei.timeoutMs,
      bodyTimeoutMs: huawei.timeoutMs,
      maxIdleMs: 15_000,
    }),
    headersTimeoutMs: huawei.timeoutMs,
    bodyTimeoutMs: huawei.timeoutMs,
    onEvent: (event) => logger.warn(`huawei ${event.type}`, { ...event }),
  });
  return provider;
}
