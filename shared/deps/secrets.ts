import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireSetting } from '../config.ts';
import { createSecretSource, type SecretSource } from '../secrets.ts';
import { appConfig } from './config.ts';

let source: SecretSource | undefined;

/**
 * The SMS secret, through one Secrets Manager client per container. The SDK reads
 * AWS_ENDPOINT_URL_SECRETS_MANAGER itself: the local stack needs no branch here.
 */
export function secretSource(): SecretSource {
  if (source) return source;
  const secretId = requireSetting(appConfig().secretId, 'SMS_SECRET_ID');
  source = createSecretSource(
    new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
    secretId,
  );
  return source;
}
