// Warm latency of Alibaba receipt pushes through the real statusCallback handler into a local
// DynamoDB, against Alibaba's ~700 ms answer budget (a benchmark, not a test: prints figures).
// Run: npm run bench:receipts   (PUSHES=300 BACKEND=dynalite|dynamodb-local)
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createMessagesTable, startLocalDynamo } from '../local/dynamo.ts';
import { startFunctionUrl } from '../local/functionUrl.ts';
import { startLocalSecretsManager } from '../local/secretsManager.ts';
import { countDynamo, describeTally, since, snapshot, tallyFigures } from './dynamoCount.ts';

const PUSHES = Number(process.env.PUSHES ?? 300);
const BACKEND = (process.env.BACKEND ?? 'dynalite') as 'dynalite' | 'dynamodb-local';
const BUDGET_MS = 700;
const TABLE = 'bench-receipts';
const TOKEN = 'bench-receipt-token-0123456789';
const secret = { alibaba: { accessKeyId: 'id', accessKeySecret: 'sk', receiptToken: TOKEN } };

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
const callback = await startFunctionUrl(
  async (event, context) => (await handler(event, context)) as unknown as string,
);
const target = `${callback.url}alibaba?token=${TOKEN}`;

const mainland = () => ({
  phone_number: `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
  send_time: '2026-12-01 18:00:00',
  report_time: '2026-12-01 18:00:05',
  success: true,
  err_code: 'DELIVERED',
  err_msg: '用户接收成功',
  sms_size: '1',
  biz_id: `${Date.now()}${Math.floor(Math.random() * 1e6)}^0`,
  out_id: randomUUID(),
});

let invocations = 0;
async function push(count: number): Promise<number> {
  invocations += 1;
  const body = JSON.stringify(Array.from({ length: count }, mainland));
  const start = process.hrtime.bigint();
  const answer = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await answer.text();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (answer.status !== 200 || text !== '{"code":0,"msg":"OK"}')
    throw new Error(`handler answered ${answer.status} ${text}`);
  return ms;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

console.log(
  `node ${process.version}, ${BACKEND}, ${PUSHES} sequential pushes per row, warm handler`,
);
await push(1); // cold start and the secret fetch
const secretCallsPerColdStart = secrets.calls;
// BENCH_JSON=<file>: one JSON line per figure (read by bench/run.ts, `npm run bench`).
function figure(line: Record<string, unknown>): void {
  if (process.env.BENCH_JSON)
    appendFileSync(process.env.BENCH_JSON, `${JSON.stringify({ bench: 'receipts', ...line })}\n`);
}
for (const size of [1, 10, 100]) {
  const before = snapshot(handlerDynamo);
  const samples: number[] = [];
  const pushes = size === 100 ? Math.max(20, Math.floor(PUSHES / 10)) : PUSHES;
  for (let i = 0; i < pushes; i++) samples.push(await push(size));
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  console.log(
    `${`receipts per push: ${size}`.padEnd(24)} p50 ${p50.toFixed(1).padStart(6)} ms  p99 ${p99.toFixed(1).padStart(6)} ms  (p99 = ${((p99 / BUDGET_MS) * 100).toFixed(1)}% of Alibaba's ${BUDGET_MS} ms)`,
  );
  const dynamo = since(before, handlerDynamo, pushes * size);
  console.log(`${''.padEnd(24)} DynamoDB per receipt (handler's client): ${describeTally(dynamo)}`);
  const extra = {
    backend: BACKEND,
    pushes,
    receiptsPerPush: size,
    // Lambda bills every invocation's duration rounded up to 1 ms: the mean of those.
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    billedMeanMs: samples.reduce((a, b) => a + Math.ceil(b), 0) / samples.length,
  };
  for (const [p, value] of [
    ['p50', p50],
    ['p99', p99],
  ] as const)
    figure({
      name: `${size} receipt${size === 1 ? '' : 's'} per push, ${p}`,
      value,
      unit: 'ms',
      reference: `Alibaba's answer budget`,
      referenceValue: BUDGET_MS,
      ratio: value / BUDGET_MS,
      extra,
    });
  for (const line of tallyFigures('receipt', `receipt, ${size} per push`, dynamo)) figure(line);
}
console.log(
  `Secrets Manager calls: ${secretCallsPerColdStart} at the cold start, ${secrets.calls - secretCallsPerColdStart} after`,
);
figure({ name: 'statusCallback invocations', value: invocations, unit: 'invocations' });
figure({
  name: 'Secrets Manager calls per cold start (statusCallback, Alibaba)',
  value: secretCallsPerColdStart,
  unit: 'calls',
  extra: { warmCalls: secrets.calls - secretCallsPerColdStart },
});
await callback.close();
await secrets.close();
await dynamo.close();
