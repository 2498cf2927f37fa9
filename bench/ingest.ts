// Delivery-report ingestion rate through the real statusCallback handler into a local DynamoDB,
// beside raw PutItems on the same table in the same run (a benchmark, not a test).
// Run: npm run bench:ingest   (REPORTS=2000 CONCURRENCY=16 BACKEND=dynalite|dynamodb-local)
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createMessagesTable, startLocalDynamo } from '../local/dynamo.ts';
import { startFunctionUrl } from '../local/functionUrl.ts';
import { startLocalSecretsManager } from '../local/secretsManager.ts';
import { callbackToken, requestToken } from '../shared/huawei/callbackAuth.ts';
import { messageIdOf, newCorrelation } from '../shared/messageId.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { createDynamoStore } from '../shared/store/dynamo.ts';
import { mapWithConcurrency } from '../shared/util/pool.ts';
import { countDynamo, describeTally, since, snapshot, tallyFigures } from './dynamoCount.ts';

const REPORTS = Number(process.env.REPORTS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const BACKEND = (process.env.BACKEND ?? 'dynalite') as 'dynalite' | 'dynamodb-local';
const TABLE = 'bench-messages';
const secret = { appKey: 'bench', appSecret: 'bench-secret', sender: 'isms1' };

const dynamo = await startLocalDynamo(BACKEND);
await createMessagesTable(dynamo.endpoint, TABLE);
const secrets = await startLocalSecretsManager({ bench: JSON.stringify(secret) });
Object.assign(process.env, {
  AWS_REGION: 'ap-southeast-1',
  AWS_ACCESS_KEY_ID: 'dummy',
  AWS_SECRET_ACCESS_KEY: 'dummy',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
  SMS_SECRET_ID: 'bench',
  MESSAGES_TABLE: TABLE,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
const { handler } = await import('../functions/statusCallback.ts');
// The handler's own DynamoDB client (one per container), counted: requests and consumed units.
const handlerDynamo = countDynamo((await import('../shared/deps/dynamo.ts')).documentClient());
const client = createDocumentClient({ endpoint: dynamo.endpoint });
// The handler behind the same local Function URL the tests use: HTTP in, Function URL event, HTTP out.
const callback = await startFunctionUrl(
  async (event, context) => (await handler(event, context)) as unknown as string,
);
const target = `${callback.url}report?token=${callbackToken(secret)}`;

let pushes = 0;
async function push(contentType: string, body: string, url = target): Promise<void> {
  pushes += 1;
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`handler answered ${answer.status} ${text}`);
}

async function rate(
  name: string,
  count: number,
  fn: (i: number) => Promise<void>,
): Promise<number> {
  const start = process.hrtime.bigint();
  await mapWithConcurrency(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    fn,
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = count / seconds;
  console.log(
    `${name.padEnd(52)} ${Math.round(perSecond).toLocaleString('en').padStart(8)} /s  (${count} in ${seconds.toFixed(2)} s)`,
  );
  return perSecond;
}

const form = (id: string) =>
  `smsMsgId=${id}&status=DELIVRD&source=2&updateTime=2026-11-22T10%3A00%3A00Z&orgCode=000&total=1&sequence=1`;

console.log(`node ${process.version}, ${BACKEND}, concurrency ${CONCURRENCY}`);
await push('application/x-www-form-urlencoded', form('warmup_0')); // cold start and secret fetch
const secretCallsPerColdStart = secrets.calls;
let before = snapshot(handlerDynamo);
const raw = await rate('raw PutItem (document client)', REPORTS, async (i) => {
  await client.send(
    new PutCommand({
      TableName: TABLE,
      Item: { pk: `RAW#${i}`, sk: 'X', status: 'DELIVRD', at: Date.now() },
    }),
  );
});
const single = await rate('reports via handler, one form push each', REPORTS, async () => {
  await push('application/x-www-form-urlencoded', form(`${randomUUID()}_1`));
});
const singleDynamo = since(before, handlerDynamo, REPORTS);

// The production path without pushing keys: each call's own URL (its correlation and token), so
// each report names its message by correlation and number, and its record is checked beside the
// write. The messages are recorded first, 50 per call, as sendSms records its intents.
const store = createDynamoStore({ client, tableName: TABLE, retentionDays: 1 });
const calls = Array.from({ length: Math.ceil(REPORTS / 50) }, () => newCorrelation());
const scopedTo = (i: number) => `+6592${String(i).padStart(6, '0')}`;
const submittedAt = new Date().toISOString();
await store.recordMessages(
  Array.from({ length: REPORTS }, (_, i) => {
    const correlation = calls[Math.floor(i / 50)] as string;
    return {
      messageId: messageIdOf(correlation, scopedTo(i)),
      to: scopedTo(i),
      templateId: 't',
      provider: 'huawei',
      correlation,
      status: 'accepted' as const,
      submittedAt,
    };
  }),
);
const appToken = callbackToken(secret);
const callUrl = (correlation: string) =>
  `${callback.url}report?c=${correlation}&token=${requestToken(appToken, correlation)}`;
before = snapshot(handlerDynamo);
const scoped = await rate(
  'reports via handler, per-request URL, one push each',
  REPORTS,
  async (i) => {
    const correlation = calls[Math.floor(i / 50)] as string;
    await push(
      'application/x-www-form-urlencoded',
      `${form(`${randomUUID()}_1`)}&extend=${correlation}&to=${encodeURIComponent(scopedTo(i))}`,
      callUrl(correlation),
    );
  },
);
const scopedDynamo = since(before, handlerDynamo, REPORTS);
before = snapshot(handlerDynamo);
const batches = Math.max(1, Math.floor(REPORTS / 50));
const batched =
  (await rate('reports via handler, JSON batches of 50 (x50 below)', batches, async () => {
    const list = Array.from({ length: 50 }, () => ({
      smsMsgId: `${randomUUID()}_1`,
      status: 'DELIVRD',
      total: '1',
      sequence: '1',
    }));
    await push('application/json', JSON.stringify({ statusReportList: list }));
  })) * 50;
const batchedDynamo = since(before, handlerDynamo, batches * 50);
console.log(
  `${'  = reports per second in batches'.padEnd(52)} ${Math.round(batched).toLocaleString('en').padStart(8)} /s`,
);
console.log(
  `ratio handler/raw: single ${(single / raw).toFixed(2)} (app token), ${(scoped / raw).toFixed(2)} (per-request URL: its record checked beside the write), batched ${(batched / raw).toFixed(2)}`,
);
console.log(
  `DynamoDB per report (handler's client): one push each ${describeTally(singleDynamo)}; per-request URL ${describeTally(scopedDynamo)}; in batches of 50 ${describeTally(batchedDynamo)}; Secrets Manager calls: ${secretCallsPerColdStart} at the cold start, ${secrets.calls - secretCallsPerColdStart} after`,
);

// BENCH_JSON=<file>: one JSON line per figure (read by bench/run.ts, `npm run bench`).
function figure(line: Record<string, unknown>): void {
  if (process.env.BENCH_JSON)
    appendFileSync(process.env.BENCH_JSON, `${JSON.stringify({ bench: 'ingest', ...line })}\n`);
}
const setup = { backend: BACKEND, concurrency: CONCURRENCY, reports: REPORTS };
figure({ name: 'raw PutItem (document client)', value: raw, unit: 'puts/s', extra: setup });
for (const [name, value, dynamo] of [
  ['reports via handler, one form push each', single, singleDynamo],
  ['reports via handler, per-request URL, one push each', scoped, scopedDynamo],
  ['reports via handler, JSON batches of 50', batched, batchedDynamo],
] as const) {
  figure({
    name,
    value,
    unit: 'reports/s',
    reference: 'raw PutItem (document client)',
    referenceValue: raw,
    ratio: value / raw,
    extra: setup,
  });
  const form = name.endsWith('each') ? 'one push each' : 'JSON batches of 50';
  for (const line of tallyFigures('report', `report, ${form}`, dynamo)) figure(line);
}
figure({ name: 'statusCallback invocations (pushes)', value: pushes, unit: 'invocations' });
figure({
  name: 'Secrets Manager calls per cold start (statusCallback, Huawei)',
  value: secretCallsPerColdStart,
  unit: 'calls',
  extra: { warmCalls: secrets.calls - secretCallsPerColdStart },
});
client.destroy();
await callback.close();
await secrets.close();
await dynamo.close();
