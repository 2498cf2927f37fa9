import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/huawei/server.ts';

/** The local stand-ins a handler test needs: the sandbox, Secrets Manager and DynamoDB. */
export interface LocalServices {
  sandbox: Sandbox;
  secrets: LocalSecretsManager;
  dynamo: LocalDynamo;
  table: string;
  close(): Promise<void>;
}

/** Starts the sandbox, a Secrets Manager endpoint holding `secrets`, and dynalite with the table. */
export async function startLocalServices(options: {
  table: string;
  secrets: Record<string, string>;
  sandbox?: SandboxOptions;
}): Promise<LocalServices> {
  const [sandbox, secrets, dynamo] = await Promise.all([
    // No reports unless a test asks: they would go to whatever statusCallback it used.
    startSandbox({ deliveryDelayMs: 600_000, ...options.sandbox }),
    startLocalSecretsManager(options.secrets),
    startDynalite(),
  ]);
  await createMessagesTable(dynamo.endpoint, options.table);
  return {
    sandbox,
    secrets,
    dynamo,
    table: options.table,
    close: async () => {
      await Promise.all([sandbox.close(), secrets.close(), dynamo.close()]);
    },
  };
}

/** The environment a deployed function would have, pointed at the local services. */
export function localEnv(
  services: LocalServices,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: services.secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamo.endpoint,
    MESSAGES_TABLE: services.table,
    HUAWEI_SMS_ENDPOINT: services.sandbox.url,
    HUAWEI_SMS_AUTH: 'aksk',
    STATUS_CALLBACK_URL: '',
    // Tests send to the same numbers many times; the limit has tests of its own.
    SMS_RECIPIENT_LIMIT: 'off',
    ...overrides,
  };
}

/** A handler module loaded afresh (a new Lambda container) with `env` in process.env. */
export async function loadHandler(path: string, env: Record<string, string>): Promise<Handler> {
  vi.resetModules();
  Object.assign(process.env, env);
  return ((await import(path)) as { handler: Handler }).handler;
}

/**
 * Captures what the functions log (Powertools writes INFO to stdout, WARN and ERROR to stderr),
 * still passing it through. Undone by `vi.restoreAllMocks()`.
 */
export function captureLogs(): { lines: string[]; clear(): void; text(): string } {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk, ...rest) => {
      lines.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
  }
  return { lines, clear: () => lines.splice(0), text: () => lines.join('') };
}

/**
 * Registers the hooks every handler test file needs: local services and log capture for the
 * file, a clean sandbox and log before each test (plus `reset`). Fields are set in `beforeAll`.
 */
export function useLocalServices(
  options: Parameters<typeof startLocalServices>[0],
  reset: (services: LocalServices) => void = () => {},
): { services: LocalServices; logs: ReturnType<typeof captureLogs> } {
  const context = {} as { services: LocalServices; logs: ReturnType<typeof captureLogs> };
  beforeAll(async () => {
    context.services = await startLocalServices(options);
    context.logs = captureLogs();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await context.services?.close();
  });
  beforeEach(() => {
    context.services.sandbox.reset();
    context.logs.clear();
    reset(context.services);
  });
  return context;
}
