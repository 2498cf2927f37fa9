import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretError } from './errors.ts';
import { describeIssues, type Issue } from './http/issues.ts';

export { SecretError } from './errors.ts';

/**
 * The SMS secret's JSON (SPEC "Configuration"): one object per provider, by provider name
 * (`{"huawei": {...}, "alibaba": {...}}`). Each provider validates its own part.
 */
export type SmsSecret = Readonly<Record<string, unknown>>;

/** Names of the keys that mark the flat, Huawei-only shape of earlier deployments. */
const FLAT_HUAWEI_KEYS = ['appKey', 'appSecret'];

/**
 * Reads a SecretString without echoing any of it. The flat Huawei shape (`{"appKey", "appSecret",
 * "sender", ...}`) stays accepted and reads as `{"huawei": {...}}`.
 */
export function parseSecret(secretString: unknown): SmsSecret {
  if (typeof secretString !== 'string') throw new SecretError('the secret has no SecretString');
  // The cache hands back the same string on every warm invocation: so is its reading.
  if (lastRead?.from === secretString) return lastRead.secret;
  const secret = readSecret(secretString);
  lastRead = { from: secretString, secret };
  return secret;
}

/** The last SecretString read, and what it read as (frozen: every caller shares it). */
let lastRead: { from: string; secret: SmsSecret } | undefined;

function readSecret(secretString: string): SmsSecret {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new SecretError('the secret is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SecretError('the secret must be a JSON object');
  }
  const object = json as Record<string, unknown>;
  if (FLAT_HUAWEI_KEYS.some((key) => Object.hasOwn(object, key)))
    return Object.freeze({ huawei: object });
  return Object.freeze(object);
}

/** The part of a zod schema `secretPart` needs. */
interface PartSchema<T> {
  safeParse(
    input: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

/** One provider's part of the secret, validated; undefined when the secret has none. */
export function secretPart<T>(
  secret: SmsSecret,
  name: string,
  schema: PartSchema<T>,
): T | undefined {
  if (!Object.hasOwn(secret, name) || secret[name] === undefined) return undefined;
  // One validation per secret read, part and schema, not one per invocation.
  let parts = validated.get(secret);
  if (!parts) {
    parts = new Map();
    validated.set(secret, parts);
  }
  const held = parts.get(name);
  if (held?.schema === schema) return held.part as T;
  const part = validatePart(secret[name], name, schema);
  if (typeof part === 'object' && part !== null) Object.freeze(part);
  parts.set(name, { schema, part });
  return part;
}

/** Parts already validated, by secret read and part name, with the schema that read them. */
const validated = new WeakMap<
  SmsSecret,
  Map<string, { schema: PartSchema<unknown>; part: unknown }>
>();

function validatePart<T>(value: unknown, name: string, schema: PartSchema<T>): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const fields = describeIssues(result.error.issues).map((d) => `${name}.${d.path} ${d.message}`);
    throw new SecretError(`the secret is malformed: ${fields.join('; ')}`);
  }
  return result.data;
}

/** How long a fetched secret is trusted without an authentication failure (picks up rotations). */
const MAX_AGE_SECONDS = 15 * 60;

/** The SMS secret, cached; `refresh` refetches at once. */
export type SecretSource = (options?: { refresh?: boolean }) => Promise<SmsSecret>;

/**
 * The secret from Secrets Manager, cached per container by Powertools for `MAX_AGE_SECONDS`;
 * `{refresh: true}` refetches at once (after a provider reports an authentication failure, in case
 * the secret was rotated). A failed fetch is not cached: the next call tries again.
 */
export function createSecretSource(
  provider: Pick<SecretsProvider, 'get'>,
  secretId: string,
): SecretSource {
  return async (options) => {
    let value: unknown;
    try {
      value = await provider.get(secretId, {
        maxAge: MAX_AGE_SECONDS,
        forceFetch: options?.refresh === true,
      });
    } catch (error) {
      const cause = (error as { cause?: { name?: unknown } }).cause?.name ?? (error as Error).name;
      throw new SecretError(`could not read secret ${secretId} (${String(cause)})`);
    }
    return parseSecret(value);
  };
}

/** A provider's credentials from the secret, with a forced refetch for after a rotation. */
export interface CredentialSource<T> {
  get(): Promise<T>;
  refresh(): Promise<T>;
}

/** The credentials of one provider, read from its part of the secret (an error when absent). */
export function credentialSource<T>(
  source: SecretSource,
  name: string,
  schema: PartSchema<T>,
): CredentialSource<T> {
  const read = async (refresh: boolean) => {
    const part = secretPart(await source({ refresh }), name, schema);
    if (part === undefined) throw new SecretError(`the secret holds no ${name} credentials`);
    return part;
  };
  return { get: () => read(false), refresh: () => read(true) };
}
