import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import { describeIssues } from './http/issues.ts';
import type { CredentialSource, HuaweiCredentials } from './huawei/client.ts';

const secretSchema = z.object({
  appKey: z.string().check(z.minLength(1)),
  appSecret: z.string().check(z.minLength(1)),
  sender: z.string().check(z.minLength(1)),
  pushKeys: z.optional(
    z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))),
  ),
  /** Optional: the status callback token (otherwise derived from appSecret). */
  callbackToken: z.optional(z.string().check(z.minLength(16))),
});

/** The SMS secret's JSON (SPEC "Configuration"). */
export type SmsSecret = z.infer<typeof secretSchema>;

/** The secret is missing or malformed; the message names fields, never values. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
}

/** Validates a SecretString without echoing any of it. */
export function parseSecret(secretString: unknown): SmsSecret {
  if (typeof secretString !== 'string') throw new SecretError('the secret has no SecretString');
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new SecretError('the secret is not JSON');
  }
  const result = secretSchema.safeParse(json);
  if (!result.success) {
    const fields = describeIssues(result.error.issues).map((d) => `${d.path} ${d.message}`);
    throw new SecretError(`the secret is malformed: ${fields.join('; ')}`);
  }
  return result.data;
}

/** How long a fetched secret is trusted without an authentication failure (picks up rotations). */
const MAX_AGE_SECONDS = 15 * 60;

/**
 * Credentials from Secrets Manager, cached per container by Powertools for `MAX_AGE_SECONDS`;
 * `refresh()` refetches at once (used after Huawei reports an authentication failure, in case the
 * secret was rotated). A failed fetch is not cached: the next call tries again.
 */
export function createSecretSource(
  provider: Pick<SecretsProvider, 'get'>,
  secretId: string,
): CredentialSource & { secret(options?: { refresh?: boolean }): Promise<SmsSecret> } {
  const load = async (forceFetch: boolean) => {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: MAX_AGE_SECONDS, forceFetch });
    } catch (error) {
      const cause = (error as { cause?: { name?: unknown } }).cause?.name ?? (error as Error).name;
      throw new SecretError(`could not read secret ${secretId} (${String(cause)})`);
    }
    return parseSecret(value);
  };
  const toCredentials = ({ appKey, appSecret, sender }: SmsSecret): HuaweiCredentials => ({
    appKey,
    appSecret,
    sender,
  });
  return {
    secret: (options?: { refresh?: boolean }) => load(options?.refresh === true),
    get: async () => toCredentials(await load(false)),
    refresh: async () => toCredentials(await load(true)),
  };
}
