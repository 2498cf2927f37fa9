// Warm latency of one POST /sms (the core use case, real Huawei client to the sandbox over
// loopback, real store on a local DynamoDB), with and without the checks before the provider call
// (per-recipient limit counters, opt-out lookup), interleaved in one run (a benchmark, not a test).
// Run: npm run bench:send   (SENDS=400 BACKEND=dynalite|dynamodb-local)
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createMessagesTable, startLocalDynamo } from '../local/dynamo.ts';
import { startLocalSecretsManager } from '../local/secretsManager.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  startSandbox,
} from '../sandbox/huawei/server.ts';
import { idempotencyGate } from '../shared/core/idempotency.ts';
import { sendSms } from '../shared/core/sendSms.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { createDynamoStore } from '../shared/store/dynamo.ts';
import { createIdempotencyLedger } from '../shared/store/idempotency.ts';
import { createRecipientCounters } from '../shared/store/recipientCounters.ts';
import { deadlineIn } from '../shared/util/deadline.ts';
import {
  addTallies,
  countDynamo,
  type DynamoTally,
  describeTally,
  emptyTally,
  since,
  snapshot,
  tallyFigures,
} from './dynamoCount.ts';

const SENDS = Number(process.env.SENDS ?? 400);
const BACKEND = (process.env.BACKEND ?? 'dynalite') as 'dynalite' | 'dynamodb-local';
const TABLE = 'bench-send';

const dynamo = await startLocalDynamo(BACKEND);
await createMessagesTable(dynamo.endpoint, TABLE);
const sandbox = await startSandbox({ deliveryDelayMs: 600_000 });
const secret = { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER };
const secrets = await startLocalSecretsManager({ bench: JSON.stringify(secret) });
Object.assign(process.env, {
  AWS_REGION: 'ap-southeast-1',
  AWS_ACCESS_KEY_ID: 'dummy',
  AWS_SECRET_ACCESS_KEY: 'dummy',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
  SMS_SECRET_ID: 'bench',
  MESSAGES_TABLE: TABLE,
  HUAWEI_SMS_ENDPOINT: sandbox.url,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
const { providerRouter } = await import('../shared/deps/router.ts');
const router = await providerRouter();
const client = createDocumentClient({ endpoint: dynamo.endpoint });
// Every store below shares this client: its requests and consumed units are counted per variant.
const storeDynamo = countDynamo(client);
const store = createDynamoStore({ client, tableName: TABLE, retentionDays: 1 });
const counters = createRecipientCounters({
  client,
  tableName: TABLE,
  limit: { count: 10, windowSeconds: 3_600 },
});
const optOutsModule = await import('../shared/store/optOuts.ts').catch(() => undefined);
const optOuts = optOutsModule?.createDynamoOptOutStore?.({ client, tableName: TABLE });
const log = { info() {}, warn() {}, error() {}, debug() {} };

const ledger = createIdempotencyLedger({ client, tableName: TABLE });
let keys = 0;
/** A fresh Idempotency-Key per send: the ledger's claim and completion, never a replay. */
const withKey = () => ({
  idempotency: idempotencyGate(ledger, {
    id: `bench-${keys++}`,
    fingerprint: 'bench',
    leaseUntil: Date.now() + 10_000,
  }),
});
const both = { counters, ...(optOuts ? { optOuts } : {}) };
const BARE = 'bare: one provider request + one BatchWrite';
const variants: Record<string, () => object> = {
  'no checks (floor)': () => ({}),
  'limit counters only': () => ({ counters }),
  'opt-out lookup only': () => (optOuts ? { optOuts } : {}),
  'both (one parallel round trip)': () => both,
  'both + Idempotency-Key (ledger)': () => ({ ...both, ...withKey() }),
};
const routed = router.route('+6591000000');
if (!routed) throw new Error('no provider for +65');
const huawei = routed;
/** What a send cannot do without: the signed provider request and writing its record once. */
async function bare(): Promise<number> {
  const start = process.hrtime.bigint();
  const to = next();
  const [outcome] = await huawei.send(
    {
      to: [to],
      templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
      templateParas: ['123456'],
      correlation: `sr${String(n).padStart(32, '0')}`,
    },
    deadlineIn(10_000),
  );
  await store.recordMessages([
    {
      messageId: randomUUID(),
      to,
      templateId: 't',
      provider: 'huawei',
      status: outcome?.status === 'accepted' ? 'accepted' : 'rejected',
      submittedAt: new Date().toISOString(),
    },
  ]);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const samples = new Map<string, number[]>([...Object.keys(variants), BARE].map((k) => [k, []]));
const counted = new Map<string, DynamoTally>();
let n = 0;
const next = () => `+6591${String(n++).padStart(6, '0')}`;

const sentIds: string[] = [];
async function once(extra: object): Promise<number> {
  const start = process.hrtime.bigint();
  const { messages } = await sendSms(
    { to: [next()], templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] },
    { router, store, log, ...extra },
    deadlineIn(10_000),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  for (const message of messages) sentIds.push(message.messageId);
  return ms;
}

await once({}); // cold: the router's first send fetches the secret
const secretCallsPerColdStart = secrets.calls;
for (let i = 0; i < 20; i++) {
  for (const extra of Object.values(variants)) await once(extra()); // warm
  await bare();
}
for (let i = 0; i < SENDS; i++) {
  for (const [name, extra] of Object.entries(variants)) {
    const before = snapshot(storeDynamo);
    samples.get(name)?.push(await once(extra()));
    counted.set(name, addTallies(counted.get(name) ?? emptyTally(), since(before, storeDynamo)));
  }
  const before = snapshot(storeDynamo);
  samples.get(BARE)?.push(await bare());
  counted.set(BARE, addTallies(counted.get(BARE) ?? emptyTally(), since(before, storeDynamo)));
}
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
console.log(`node ${process.version}, ${BACKEND}, ${SENDS} sends per variant, interleaved, warm`);
const floor = samples.get('no checks (floor)') ?? [];
const bareSamples = samples.get(BARE) ?? [];
for (const [name, values] of samples) {
  console.log(
    `${name.padEnd(44)} p50 ${pct(values, 50).toFixed(2).padStart(6)} ms  p99 ${pct(values, 99).toFixed(2).padStart(6)} ms  (p50 ${(pct(values, 50) / pct(floor, 50)).toFixed(2)}x the floor, ${(pct(values, 50) / pct(bareSamples, 50)).toFixed(2)}x bare)`,
  );
}
// GET /sms/{id}: the store read getMessage does (its Queries of the message's partitions), warm.
const readSamples: number[] = [];
const beforeReads = snapshot(storeDynamo);
const reads = Math.max(20, Math.floor(SENDS / 4));
for (let i = 0; i < reads; i++) {
  const start = process.hrtime.bigint();
  const found = await store.getMessage(sentIds[i % sentIds.length] ?? '');
  readSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (!found.record) throw new Error('a sent message was not found');
}
const readDynamo = since(beforeReads, storeDynamo, reads);
console.log(
  `${'getMessage (store read)'.padEnd(34)} p50 ${pct(readSamples, 50).toFixed(2).padStart(6)} ms  p99 ${pct(readSamples, 99).toFixed(2).padStart(6)} ms`,
);
console.log("DynamoDB per send (the stores' client):");
for (const [name, tally] of counted)
  console.log(`  ${name.padEnd(32)} ${describeTally(since(emptyTally(), tally, SENDS))}`);
console.log(`  ${'getMessage (per read)'.padEnd(32)} ${describeTally(readDynamo)}`);
console.log(
  `Secrets Manager calls: ${secretCallsPerColdStart} at the cold start, ${secrets.calls - secretCallsPerColdStart} after`,
);

// BENCH_JSON=<file>: one JSON line per figure (read by bench/run.ts, `npm run bench`).
function figure(line: Record<string, unknown>): void {
  if (process.env.BENCH_JSON)
    appendFileSync(process.env.BENCH_JSON, `${JSON.stringify({ bench: 'send', ...line })}\n`);
}
const setup = { backend: BACKEND, sends: SENDS, recipientsPerSend: 1, sandboxLatencyMs: 0 };
// Lambda bills every invocation's duration rounded up to 1 ms: the mean of those is what a
// million invocations cost.
const means = (values: number[]) => ({
  meanMs: values.reduce((a, b) => a + b, 0) / values.length,
  billedMeanMs: values.reduce((a, b) => a + Math.ceil(b), 0) / values.length,
});
for (const [name, values] of samples) {
  for (const p of [50, 99]) {
    const value = pct(values, p);
    figure({
      name: `${name}, p${p}`,
      value,
      unit: 'ms',
      ...(name === 'no checks (floor)'
        ? {}
        : {
            reference: `no checks (floor), p${p}`,
            referenceValue: pct(floor, p),
            ratio: value / pct(floor, p),
          }),
      extra: { ...setup, ...means(values) },
    });
  }
  const perSend = since(emptyTally(), counted.get(name) ?? emptyTally(), SENDS);
  for (const line of tallyFigures('send', `send, ${name}`, perSend)) figure(line);
}
for (const p of [50, 99])
  figure({
    name: `getMessage (store read), p${p}`,
    value: pct(readSamples, p),
    unit: 'ms',
    extra: { backend: BACKEND, reads, ...means(readSamples) },
  });
for (const line of tallyFigures('read', 'getMessage', readDynamo)) figure(line);
figure({
  name: 'Secrets Manager calls per cold start (sendSms, Huawei)',
  value: secretCallsPerColdStart,
  unit: 'calls',
  extra: { warmCalls: secrets.calls - secretCallsPerColdStart },
});
await sandbox.close();
await secrets.close();
await dynamo.close();
