// Delivery-report ingestion rate through the real statusCallback handler into a local DynamoDB,
// beside raw PutItems on the same table in the same run (a benchmark, not a test).
// Every path is warmed up first, then measured in interleaved rounds (raw, handler, raw, ...), so
// JIT warm-up and drift on a shared machine weigh on all of them alike. The reference is a raw
// conditional PutItem of the very item one report writes (read back from the table): what storing
// a report costs at the least; a PutItem of a 4-attribute item is printed beside it. Pushes go
// over HTTP keep-alive (undici, the leanest client at hand: it stands for the provider) to the local Function URL; the
// handler is also invoked directly with the Function URL event, to tell its cost from the HTTP
// hop's, and its core (receivePush) is called alone, to tell the core's cost from that of
// middy, the log context and the metrics flush around it. Both DynamoDB clients count their requests and units, so both pay the same for it.
// Without pushing keys a report is checked beside its write: one with the application token
// against its message's marker (messages recorded first as sent without a callback URL), one to a
// per-request URL of a call to several numbers against its message's record; one to the URL of a
// call to one number is told by the URL's tag for that number, with no lookup. Every push (body,
// URL, signature) is made before its round is timed: that is the provider's work. PUSH_AUTH=signature puts pushing keys in the
// secret instead: every push signed as Huawei signs them, one PutItem a report, no check.
// Run: npm run bench:ingest   (REPORTS=500 per round, ROUNDS=8, CONCURRENCY=16,
// BACKEND=dynalite|dynamodb-local)
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Pool } from 'undici';
import { createMessagesTable, startLocalDynamo } from '../local/dynamo.ts';
import { functionUrlEvent, startFunctionUrl } from '../local/functionUrl.ts';
import { startLocalSecretsManager } from '../local/secretsManager.ts';
import { callbackToken, callbackUrl, requestToken } from '../shared/huawei/callbackAuth.ts';
import { signAkSk } from '../shared/huawei/signer.ts';
import { messageIdFor, messageIdOf, newCorrelation } from '../shared/messageId.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { createDynamoStore } from '../shared/store/dynamo.ts';
import { mapWithConcurrency } from '../shared/util/pool.ts';
import {
  addTallies,
  countDynamo,
  describeTally,
  scaleTally,
  since,
  snapshot,
  tallyFigures,
} from './dynamoCount.ts';
import { descendantsCpuMicros } from './processes.ts';

/** Reports (or puts) per path per round. */
const REPORTS = Number(process.env.REPORTS ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 8));
const BACKEND = (process.env.BACKEND ?? 'dynalite') as 'dynalite' | 'dynamodb-local';
const TABLE = 'bench-messages';
/** PUSH_AUTH=signature: pushing keys in the secret, every push signed as Huawei signs them. */
const SIGNED = process.env.PUSH_AUTH === 'signature';
const PUSH_KEY = { ak: 'bench-push-ak', sk: 'bench-push-sk' };
const secret = {
  appKey: 'bench',
  appSecret: 'bench-secret',
  sender: 'isms1',
  ...(SIGNED ? { pushKeys: { [PUSH_KEY.ak]: PUSH_KEY.sk } } : {}),
};

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
const target = SIGNED
  ? `${callback.url}report`
  : `${callback.url}report?token=${callbackToken(secret)}`;

// The load generator stands for the provider's pusher, on other machines in production: here it
// shares this process and its CPU with the handler, so it is the leanest client at hand, undici's
// dispatcher (the design's HTTP library) over keep-alive connections, one per push in flight.
// node:http's client spends about 2x its CPU per push, fetch() more again.
const pusher = new Pool(new URL(callback.url).origin, { connections: CONCURRENCY });
/** statusCallback invocations: pushes over HTTP and direct invocations (each prints its EMF). */
let invocations = 0;
/** The headers of a push: signed with the pushing key (SDK-HMAC-SHA256, Host included). */
const pushHeaders = (url: string, contentType: string, body: string): Record<string, string> =>
  SIGNED
    ? signAkSk(
        { method: 'POST', url, headers: { 'Content-Type': contentType }, body },
        { appKey: PUSH_KEY.ak, appSecret: PUSH_KEY.sk },
        new Date(),
      ).headers
    : { 'content-type': contentType };
/** One push as the provider sends it: built and signed before the clock runs (the provider's work). */
interface Prepared {
  url: string;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}
const prepare = (contentType: string, body: string, url = target): Prepared => ({
  url,
  contentType,
  body,
  headers: pushHeaders(url, contentType, body),
});
async function push({ url, body, headers }: Prepared): Promise<void> {
  invocations += 1;
  const at = url.indexOf('/', url.indexOf('//') + 2);
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      let status = 0;
      let text = '';
      pusher.dispatch(
        { method: 'POST', path: url.slice(at), headers, body },
        {
          onRequestStart() {},
          onResponseStart(_controller, statusCode) {
            status = statusCode;
          },
          onResponseData(_controller, chunk) {
            text += chunk.toString('utf8');
          },
          onResponseEnd() {
            resolve({ status, text });
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        },
      );
    },
  );
  if (status !== 200) throw new Error(`handler answered ${status} ${text}`);
}

interface Path {
  name: string;
  /** Items (reports or puts) each call of `run` stores. */
  per: number;
  /** What one call sends, made before a round is timed (the provider's side of a push). */
  prepare: () => unknown;
  run: (input: never) => Promise<void>;
  /** What a round measured, added up. */
  calls: number;
  seconds: number;
  cpuMicros: number;
  /** CPU of this process's children meanwhile (DynamoDB Local's JVM; 0 with dynalite). */
  childCpuMicros: number;
}

const path = <T>(
  name: string,
  prepare: () => T,
  run: (input: T) => Promise<void>,
  per = 1,
): Path => ({
  name,
  per,
  prepare,
  run: run as (input: never) => Promise<void>,
  calls: 0,
  seconds: 0,
  cpuMicros: 0,
  childCpuMicros: 0,
});

async function round(p: Path, count: number, measure: boolean): Promise<void> {
  const inputs = Array.from({ length: count }, () => p.prepare() as never);
  const childCpu = descendantsCpuMicros() ?? 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await mapWithConcurrency(inputs, CONCURRENCY, p.run);
  if (!measure) return;
  p.seconds += Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  p.cpuMicros += used.user + used.system;
  p.childCpuMicros += (descendantsCpuMicros() ?? 0) - childCpu;
  p.calls += count;
}

/** Items stored per second over all of a path's rounds. */
const rateOf = (p: Path) => (p.calls * p.per) / p.seconds;
/** This process's CPU (load generator, Function URL, handler, SDK) per item stored. */
const cpuPerItem = (p: Path) => p.cpuMicros / (p.calls * p.per);
/** DynamoDB Local's CPU per item stored. */
const childCpuPerItem = (p: Path) => p.childCpuMicros / (p.calls * p.per);

/** Huawei's report time, `yyyy-MM-ddTHH:mm:ssZ`: now (a time older than 30 days is not used). */
const updateTime = () => `${new Date().toISOString().slice(0, 19)}Z`;
const form = (id: string) =>
  `smsMsgId=${id}&status=DELIVRD&source=2&updateTime=${encodeURIComponent(updateTime())}&orgCode=000&total=1&sequence=1`;

console.log(
  `node ${process.version}, ${BACKEND}, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds`,
);
// Messages sent without a callback URL (as when STATUS_CALLBACK_URL is unset): their reports
// come to the application's URL with its token and only Huawei's id, and each is checked
// against its message's marker beside the write. Recorded here as sendSms records them.
const store = createDynamoStore({ client, tableName: TABLE, retentionDays: 1 });
const recordAppMessages = async (ids: readonly string[]) => {
  const submittedAt = new Date().toISOString();
  await store.recordMessages(
    ids.map((id, i) => ({
      messageId: randomUUID(),
      to: `+6593${String(i).padStart(6, '0')}`,
      templateId: 't',
      provider: 'huawei',
      providerMessageId: id,
      reportsAt: messageIdFor('huawei', id),
      appReports: true as const,
      status: 'accepted' as const,
      submittedAt,
    })),
  );
};
if (!SIGNED) await recordAppMessages(['warmup_0']);
await push(prepare('application/x-www-form-urlencoded', form('warmup_0'))); // cold start, secret fetch
const secretCallsPerColdStart = secrets.calls;
const rawDynamo = countDynamo(client);

// The item one report writes, as the store wrote it: the raw reference puts copies of it.
const written = await client.send(
  new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `MSG#${messageIdFor('huawei', 'warmup_0')}` },
  }),
);
const reportItem = written.Items?.find((item) => String(item.sk).startsWith('REPORT#'));
if (!reportItem) throw new Error('the warm-up report was not stored where expected');

// The production path without pushing keys: each call's own URL (its correlation and token), so
// each report names its message by correlation and number, and its record is checked beside the
// write. The messages are recorded first, 50 per call, as sendSms records its intents.
const scopedReports = SIGNED ? 0 : REPORTS * ROUNDS + 1_000;
const calls = Array.from({ length: Math.ceil(scopedReports / 50) }, () => newCorrelation());
const scopedTo = (i: number) => `+6592${String(i).padStart(6, '0')}`;
const submittedAt = new Date().toISOString();
await store.recordMessages(
  Array.from({ length: scopedReports }, (_, i) => {
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
// Calls to one number (a verification code: most of POST /sms): each URL carries that number's
// tag, so its report needs no lookup. Recorded first too.
const oneCalls = Array.from({ length: 3 * scopedReports }, () => newCorrelation());
const oneTo = (i: number) => `+6594${String(i).padStart(6, '0')}`;
await store.recordMessages(
  oneCalls.map((correlation, i) => ({
    messageId: messageIdOf(correlation, oneTo(i)),
    to: oneTo(i),
    templateId: 't',
    provider: 'huawei',
    correlation,
    status: 'accepted' as const,
    submittedAt,
  })),
);
let oneNext = 0;
const appToken = callbackToken(secret);
const callUrl = (correlation: string) =>
  `${callback.url}report?c=${correlation}&token=${requestToken(appToken, correlation)}`;
let scopedNext = 0;

const lambdaContext = (id: string) => ({
  functionName: 'statusCallback',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:000000000000:function:statusCallback',
  memoryLimitInMB: '256',
  awsRequestId: id,
  logGroupName: '/aws/lambda/statusCallback',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done() {},
  fail() {},
  succeed() {},
});
const tokenQuery = `token=${callbackToken(secret)}`;
/** The handler invoked as Lambda invokes it for a Function URL push to /report (no HTTP hop). */
async function invoke(query: string, headers: Record<string, string>, body: string): Promise<void> {
  invocations += 1;
  const answer = (await handler(
    functionUrlEvent({
      method: 'POST',
      rawPath: '/report',
      rawQueryString: query,
      headers,
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
    }),
    lambdaContext(randomUUID()) as never,
  )) as { statusCode?: number };
  if (answer.statusCode !== 200) throw new Error(`handler answered ${answer.statusCode}`);
}

const raw = path(
  'raw PutItem of the item a report writes',
  () => ({ ...reportItem, pk: `MSG#${randomUUID()}` }),
  async (item) => {
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },
);
let tinyNext = 0;
const tiny = path(
  'raw PutItem of a 4-attribute item',
  () => ({ pk: `RAW#${randomUUID()}`, sk: 'X', status: 'DELIVRD', at: tinyNext++ }),
  async (item) => {
    await client.send(new PutCommand({ TableName: TABLE, Item: item }));
  },
);
const FORM = 'application/x-www-form-urlencoded';
const single = path(
  'reports via handler, one form push each',
  () => prepare(FORM, form(nextAppId())),
  push,
);
const direct = path(
  'reports via handler invoked directly (no HTTP), one each',
  () => {
    const body = form(nextAppId());
    // Signed headers carry their own Host (the signed one).
    const headers = SIGNED
      ? pushHeaders(target, FORM, body)
      : { host: new URL(target).host, ...pushHeaders(target, FORM, body) };
    return { body, headers };
  },
  ({ body, headers }) => invoke(SIGNED ? '' : tokenQuery, headers, body),
);
const scoped = path(
  'reports via handler, per-request URL of a 50-number call, one push each',
  () => {
    const i = scopedNext++;
    const correlation = calls[Math.floor(i / 50)] as string;
    return prepare(
      FORM,
      `${form(`${randomUUID()}_1`)}&extend=${correlation}&to=${encodeURIComponent(scopedTo(i))}`,
      callUrl(correlation),
    );
  },
  push,
);
/** The next one-number call's report: its URL (bound to the number) and its form body. */
function nextOneNumberPush(): { url: string; body: string } {
  const i = oneNext++;
  const correlation = oneCalls[i] as string;
  return {
    url: callbackUrl(`${callback.url}report`, secret, correlation, [oneTo(i)]) ?? '',
    body: `${form(`${randomUUID()}_1`)}&extend=${correlation}&to=${encodeURIComponent(oneTo(i))}`,
  };
}
const oneNumber = path(
  'reports via handler, per-request URL of a one-number call, one push each',
  () => {
    const { url, body } = nextOneNumberPush();
    return prepare(FORM, body, url);
  },
  push,
);
/** The next one-number call's report as the function receives it: query, headers and body. */
function nextOneNumberRequest(): { query: string; headers: Record<string, string>; body: string } {
  const next = nextOneNumberPush();
  const url = new URL(next.url);
  return {
    query: url.search.slice(1),
    headers: { host: url.host, 'content-type': FORM },
    body: next.body,
  };
}
const oneDirect = path(
  'reports via handler invoked directly (no HTTP), per-request URL of a one-number call',
  nextOneNumberRequest,
  ({ query, body, headers }) => invoke(query, headers, body),
);
// The handler's core alone, as the handler calls it (its receivers, store and opt-outs, the
// request as received) but without middy, the log context and the metrics flush: what the
// observability around the core costs per report, told apart from the core's own work.
const { receivePush } = await import('../shared/core/receivePush.ts');
const { pushReceivers } = await import('../shared/deps/receivers.ts');
const { messageStore } = await import('../shared/deps/store.ts');
const { optOutStore } = await import('../shared/deps/optOuts.ts');
const { logger } = await import('../shared/logger.ts');
const coreOnly = path(
  'the handler’s core alone (receivePush: no middy, log context or metrics), one-number call',
  () => {
    const { query, headers, body } = nextOneNumberRequest();
    return { method: 'POST', path: '/report', query, headers, body: Buffer.from(body) };
  },
  async (request) => {
    const answer = await receivePush(request, {
      receivers: pushReceivers(),
      store: messageStore(),
      optOuts: optOutStore(),
      log: logger,
    });
    if (answer.status !== 200) throw new Error(`the core answered ${answer.status}`);
  },
);
const batched = path(
  'reports via handler, JSON batches of 50',
  () =>
    prepare(
      'application/json',
      JSON.stringify({
        statusReportList: Array.from({ length: 50 }, () => ({
          smsMsgId: nextAppId(),
          status: 'DELIVRD',
          updateTime: updateTime(),
          total: '1',
          sequence: '1',
        })),
      }),
    ),
  push,
  50,
);
// With pushing keys the signature vouches for the whole push: no check, one PutItem a report,
// and no per-request URL (the calls carry none with a token).
const paths = SIGNED
  ? [raw, tiny, single, direct, batched]
  : [raw, tiny, single, direct, oneNumber, oneDirect, coreOnly, scoped, batched];
// A batched round still keeps CONCURRENCY pushes in flight.
const countOf = (p: Path) => Math.max(p.per > 1 ? CONCURRENCY : 1, Math.round(REPORTS / p.per));

// Every report with the application token is for a message recorded beforehand.
const appIdsNeeded = [single, direct, batched].reduce(
  (sum, p) => sum + p.per * (countOf(p) * ROUNDS + Math.max(1, Math.round(countOf(p) / 5))),
  0,
);
const appIds = SIGNED ? [] : Array.from({ length: appIdsNeeded }, () => `${randomUUID()}_1`);
if (!SIGNED) await recordAppMessages(appIds);
let appNext = 0;
function nextAppId(): string {
  if (SIGNED) return `${randomUUID()}_1`;
  const id = appIds[appNext++];
  if (!id) throw new Error('ran out of recorded messages');
  return id;
}

// Warm-up: a fifth of a round of every path, measured by nothing.
for (const p of paths) await round(p, Math.max(1, Math.round(countOf(p) / 5)), false);
const tallies = new Map<Path, ReturnType<typeof since>>();
for (let r = 0; r < ROUNDS; r++) {
  for (const p of r % 2 === 0 ? paths : [...paths].reverse()) {
    const counted = p === raw || p === tiny ? rawDynamo : handlerDynamo;
    const before = snapshot(counted);
    await round(p, countOf(p), true);
    const tally = since(before, counted, countOf(p) * p.per);
    const sum = tallies.get(p);
    tallies.set(p, sum ? addTallies(sum, tally) : tally);
  }
}
const perItem = (p: Path) => {
  const tally = tallies.get(p);
  if (!tally) throw new Error(`${p.name}: not measured`);
  return scaleTally(tally, 1 / ROUNDS);
};

for (const p of paths) {
  const ratio = p === raw ? '' : `  ${(rateOf(p) / rateOf(raw)).toFixed(2)}x raw`;
  console.log(
    `${p.name.padEnd(58)} ${Math.round(rateOf(p)).toLocaleString('en').padStart(7)} /s` +
      `  ${Math.round(cpuPerItem(p)).toLocaleString('en').padStart(6)} µs CPU each` +
      `  (+${Math.round(childCpuPerItem(p)).toLocaleString('en').padStart(5)} µs emulator)${ratio}`,
  );
}
console.log(
  `ratio handler/raw: one push each ${(rateOf(single) / rateOf(raw)).toFixed(2)} (${SIGNED ? 'signed' : 'app token'}), ` +
    (SIGNED
      ? ''
      : `${(rateOf(oneNumber) / rateOf(raw)).toFixed(2)} (per-request URL of a one-number call: bound to it, no lookup; ${(rateOf(oneDirect) / rateOf(raw)).toFixed(2)} invoked directly, ${(rateOf(coreOnly) / rateOf(raw)).toFixed(2)} its core alone), ${(rateOf(scoped) / rateOf(raw)).toFixed(2)} (per-request URL of a 50-number call: its record checked beside the write), `) +
    `invoked directly ${(rateOf(direct) / rateOf(raw)).toFixed(2)}, batched ${(rateOf(batched) / rateOf(raw)).toFixed(2)}`,
);
console.log(
  `DynamoDB per report (handler's client): one push each ${describeTally(perItem(single))}; ${SIGNED ? '' : `per-request URL, one-number call ${describeTally(perItem(oneNumber))}; 50-number call ${describeTally(perItem(scoped))}; `}in batches of 50 ${describeTally(perItem(batched))}; Secrets Manager calls: ${secretCallsPerColdStart} at the cold start, ${secrets.calls - secretCallsPerColdStart} after`,
);

// BENCH_JSON=<file>: one JSON line per figure (read by bench/run.ts, `npm run bench`).
function figure(line: Record<string, unknown>): void {
  if (process.env.BENCH_JSON)
    appendFileSync(
      process.env.BENCH_JSON,
      `${JSON.stringify({ bench: SIGNED ? 'ingest-signed' : 'ingest', ...line })}\n`,
    );
}
const setup = { backend: BACKEND, concurrency: CONCURRENCY, reports: REPORTS, rounds: ROUNDS };
figure({
  name: 'raw PutItem (document client)',
  value: rateOf(raw),
  unit: 'puts/s',
  extra: {
    ...setup,
    item: 'the item one report writes, conditional',
    cpuMicrosPerPut: cpuPerItem(raw),
    emulatorCpuMicrosPerPut: childCpuPerItem(raw),
  },
});
figure({
  name: 'raw PutItem of a 4-attribute item',
  value: rateOf(tiny),
  unit: 'puts/s',
  extra: {
    ...setup,
    cpuMicrosPerPut: cpuPerItem(tiny),
    emulatorCpuMicrosPerPut: childCpuPerItem(tiny),
  },
});
for (const [p, label] of [
  [single, 'one push each'],
  [direct, 'invoked directly'],
  [oneNumber, 'per-request URL, one-number call'],
  [oneDirect, 'invoked directly, one-number call'],
  [coreOnly, 'the core alone, one-number call'],
  [scoped, 'per-request URL'],
  [batched, 'JSON batches of 50'],
] as const) {
  if (!paths.includes(p)) continue;
  figure({
    name: p === batched ? 'reports via handler, JSON batches of 50' : p.name,
    value: rateOf(p),
    unit: 'reports/s',
    reference: 'raw PutItem (document client)',
    referenceValue: rateOf(raw),
    ratio: rateOf(p) / rateOf(raw),
    extra: {
      ...setup,
      cpuMicrosPerReport: cpuPerItem(p),
      emulatorCpuMicrosPerReport: childCpuPerItem(p),
    },
  });
  if (p !== direct && p !== oneDirect && p !== coreOnly)
    for (const line of tallyFigures('report', `report, ${label}`, perItem(p))) figure(line);
}
figure({ name: 'statusCallback invocations', value: invocations, unit: 'invocations' });
figure({
  name: 'Secrets Manager calls per cold start (statusCallback, Huawei)',
  value: secretCallsPerColdStart,
  unit: 'calls',
  extra: { warmCalls: secrets.calls - secretCallsPerColdStart },
});
await pusher.close();
client.destroy();
await callback.close();
await secrets.close();
await dynamo.close();
