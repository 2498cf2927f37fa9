// Warm latency of one POST /sms (the core use case, real Huawei client to the sandbox over
// loopback, real store on a local DynamoDB), with and without the checks before the provider call
// (per-recipient limit counters, opt-out lookup), interleaved in one run (a benchmark, not a test).
// Run: npm run bench:send   (SENDS=400 BACKEND=dynalite|dynamodb-local)
import { createMessagesTable, startLocalDynamo } from '../local/dynamo.ts';
import { startLocalSecretsManager } from '../local/secretsManager.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  startSandbox,
} from '../sandbox/huawei/server.ts';
import { sendSms } from '../shared/core/sendSms.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { createDynamoStore } from '../shared/store/dynamo.ts';
import { createRecipientCounters } from '../shared/store/recipientCounters.ts';
import { deadlineIn } from '../shared/util/deadline.ts';

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
const store = createDynamoStore({ client, tableName: TABLE, retentionDays: 1 });
const counters = createRecipientCounters({
  client,
  tableName: TABLE,
  limit: { count: 10, windowSeconds: 3_600 },
});
const optOutsModule = await import('../shared/store/optOuts.ts').catch(() => undefined);
const optOuts = optOutsModule?.createDynamoOptOutStore?.({ client, tableName: TABLE });
const log = { info() {}, warn() {}, error() {}, debug() {} };

const variants = {
  'no checks (floor)': {},
  'limit counters only': { counters },
  'opt-out lookup only': optOuts ? { optOuts } : {},
  'both (one parallel round trip)': { counters, ...(optOuts ? { optOuts } : {}) },
} as const;
const samples = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
let n = 0;
const next = () => `+6591${String(n++).padStart(6, '0')}`;

async function once(extra: object): Promise<number> {
  const start = process.hrtime.bigint();
  await sendSms(
    { to: [next()], templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] },
    { router, store, log, ...extra },
    deadlineIn(10_000),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

for (let i = 0; i < 20; i++) for (const extra of Object.values(variants)) await once(extra); // warm
for (let i = 0; i < SENDS; i++) {
  for (const [name, extra] of Object.entries(variants)) samples.get(name)?.push(await once(extra));
}
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
console.log(`node ${process.version}, ${BACKEND}, ${SENDS} sends per variant, interleaved, warm`);
const floor = samples.get('no checks (floor)') ?? [];
for (const [name, values] of samples) {
  console.log(
    `${name.padEnd(34)} p50 ${pct(values, 50).toFixed(2).padStart(6)} ms  p99 ${pct(values, 99).toFixed(2).padStart(6)} ms  (p50 ${(pct(values, 50) / pct(floor, 50)).toFixed(2)}x the floor)`,
  );
}
await sandbox.close();
await secrets.close();
await dynamo.close();
