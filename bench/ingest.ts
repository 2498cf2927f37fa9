// Delivery-report ingestion rate through the real statusCallback handler into a local DynamoDB,
// beside raw PutItems on the same table in the same run (a benchmark, not a test).
// Run: npm run bench:ingest   (REPORTS=2000 CONCURRENCY=16 BACKEND=dynalite|dynamodb-local)
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createMessagesTable, startLocalDynamo } from '../local/dynamo.ts';
import { startFunctionUrl } from '../local/functionUrl.ts';
import { startLocalSecretsManager } from '../local/secretsManager.ts';
import { callbackToken } from '../shared/huawei/callbackAuth.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { mapWithConcurrency } from '../shared/util/pool.ts';

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
const client = createDocumentClient({ endpoint: dynamo.endpoint });
// The handler behind the same local Function URL the tests use: HTTP in, Function URL event, HTTP out.
const callback = await startFunctionUrl(
  async (event, context) => (await handler(event, context)) as unknown as string,
);
const target = `${callback.url}report?token=${callbackToken(secret)}`;

async function push(contentType: string, body: string): Promise<void> {
  const answer = await fetch(target, {
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
console.log(
  `${'  = reports per second in batches'.padEnd(52)} ${Math.round(batched).toLocaleString('en').padStart(8)} /s`,
);
console.log(
  `ratio handler/raw: single ${(single / raw).toFixed(2)}, batched ${(batched / raw).toFixed(2)} (each report is one conditional PutItem of its own item, no read)`,
);
client.destroy();
await callback.close();
await secrets.close();
await dynamo.close();
