import { callbackUrl } from '../huawei/callbackAuth.ts';
import { createHuaweiClient } from '../huawei/client.ts';
import { huaweiSecretReader, huaweiSecretSchema } from '../huawei/secret.ts';
import { logger } from '../logger.ts';
import { credentialSource, secretPart } from '../secrets.ts';
import { templatesFor } from '../templates/registry.ts';
import { createAgent } from '../transport/agent.ts';
import type { SenderModule } from './modules.ts';

/** Huawei Cloud Message & SMS sending, wired from configuration and its part of the secret. */
export const huaweiSender: SenderModule = {
  name: 'huawei',
  hasCredentials: (secret) => secretPart(secret, 'huawei', huaweiSecretSchema) !== undefined,
  create(config, secrets) {
    const { huawei } = config;
    const secret = huaweiSecretReader(secrets);
    return createHuaweiClient({
      endpoint: huawei.endpoint,
      auth: huawei.auth,
      wsseDigest: huawei.wsseDigest,
      credentials: credentialSource(secrets, 'huawei', huaweiSecretSchema),
      statusCallback: async (correlation, recipients) =>
        callbackUrl(config.statusCallbackUrl, await secret(), correlation, recipients),
      templates: templatesFor('huawei'),
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
  },
};
