import { createAlibabaProvider } from '../alibaba/client.ts';
import { alibabaSecretSchema } from '../alibaba/secret.ts';
import { logger } from '../logger.ts';
import { credentialSource, secretPart } from '../secrets.ts';
import { templatesFor } from '../templates/registry.ts';
import { createAgent } from '../transport/agent.ts';
import type { SenderModule } from './modules.ts';

/** Alibaba Cloud SMS sending (both API versions), wired from configuration and the secret. */
export const alibabaSender: SenderModule = {
  name: 'alibaba',
  hasCredentials: (secret) => secretPart(secret, 'alibaba', alibabaSecretSchema) !== undefined,
  create(config, secrets) {
    const { alibaba } = config;
    const templates = templatesFor('alibaba');
    return createAlibabaProvider({
      endpoint: alibaba.endpoint,
      intlEndpoint: alibaba.intlEndpoint,
      credentials: credentialSource(secrets, 'alibaba', alibabaSecretSchema),
      // One keep-alive pool serves both API hosts.
      dispatcher: createAgent({
        connectTimeoutMs: alibaba.connectTimeoutMs,
        headersTimeoutMs: alibaba.timeoutMs,
        bodyTimeoutMs: alibaba.timeoutMs,
        maxIdleMs: 15_000,
      }),
      headersTimeoutMs: alibaba.timeoutMs,
      bodyTimeoutMs: alibaba.timeoutMs,
      template: (templateId) => templates(templateId).slice,
      onEvent: (event) => logger.warn(`alibaba ${event.type}`, { ...event }),
    });
  },
};
