import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Config, parseConfig } from './config.ts';
import { createHuaweiClient, type HuaweiSmsClient } from './huawei/client.ts';
import { logger } from './logger.ts';
import { createSecretSource } from './secrets.ts';
import { createAgent } from './transport/agent.ts';

/** Everything a handler needs, built once per container on first use. */
export interface Dependencies {
  config: Config;
  provider: HuaweiSmsClient;
  secrets: ReturnType<typeof createSecretSource>;
}

let built: Dependencies | undefined;

/**
 * Builds the clients once per container (a warm invocation reuses them, and their keep-alive
 * connections). Built lazily so a bad configuration becomes a logged `500`, not a crash loop.
 */
export function dependencies(env: NodeJS.ProcessEnv = process.env): Dependencies {
  if (built) return built;
  const config = parseConfig(env);
  // The SDK reads AWS_ENDPOINT_URL_SECRETS_MANAGER itself: the local stack needs no branch here.
  const secrets = createSecretSource(
    new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
    config.secretId,
  );
  const dispatcher = createAgent({
    connectTimeoutMs: config.huawei.connectTimeoutMs,
    headersTimeoutMs: config.huawei.timeoutMs,
    bodyTimeoutMs: config.huawei.timeoutMs,
    maxIdleMs: 15_000,
  });
  const provider = createHuaweiClient({
    endpoint: config.huawei.endpoint,
    auth: config.huawei.auth,
    wsseDigest: config.huawei.wsseDigest,
    credentials: secrets,
    dispatcher,
    headersTimeoutMs: config.huawei.timeoutMs,
    bodyTimeoutMs: config.huawei.timeoutMs,
    onEvent: (event) => logger.warn(`huawei ${event.type}`, { ...event }),
  });
  built = { config, provider, secrets };
  return built;
}
