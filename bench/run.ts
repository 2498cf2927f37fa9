// Every benchmark in one run, then BENCHMARKS.md (every figure beside its reference, the machine,
// the cost of a million messages on AWS) and its chart, an SVG written by hand below.
// Each bench runs as a child process, one after the other, with BENCH_JSON set: it appends one
// JSON line per figure, {"bench","name","value","unit","reference"?,"referenceValue"?,"ratio"?,
// "extra"?}, and this script reads them back.
// Run: npm run bench                 the full run: BENCHMARKS.md and bench/benchmarks.svg
//      npm run bench -- --quick      fewer iterations (a couple of minutes), written to .tmp-bench/
//      options: --out <dir> (where to write), --backend dynalite|dynamodb-local (BACKEND of the
//      DynamoDB benches), --only signer,batch,... (a subset, written to .tmp-bench/ by default)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { javaAvailable } from '../local/dynamo.ts';
import { readServerlessYml } from '../local/serverlessYml.ts';

const root = resolve(import.meta.dirname, '..');

// --- What runs --------------------------------------------------------------------------------

interface Bench {
  /** The `bench` field of its JSON lines. */
  id: string;
  file: string;
  title: string;
  /** What is measured, and what each figure is set beside. */
  about: string;
  /** Environment for `--quick`: fewer iterations. */
  quick: Record<string, string>;
  /** Takes BACKEND (a local DynamoDB). */
  dynamo?: boolean;
  /** Environment of every run of it (a mode of a script that another entry runs too). */
  env?: Record<string, string>;
}

const BENCHES: Bench[] = [
  {
    id: 'signer',
    file: 'signer.ts',
    title: 'Signing (Huawei SDK-HMAC-SHA256 and X-WSSE)',
    about:
      'Signatures per second, in one thread. Reference: the hashing each scheme cannot avoid on the same inputs (SDK-HMAC-SHA256: SHA-256 of the body and of the canonical request, HMAC of the string to sign; X-WSSE: one SHA-256), so the ratio is the share of the time spent hashing.',
    quick: { SECONDS: '0.3' },
  },
  {
    id: 'coldstart',
    file: 'coldstart.ts',
    title: 'Cold start (handler bundles)',
    about:
      'Median import time of each handler bundle in a fresh Node process (process time minus a bare `node -e ""`). Reference: a bundle of only the AWS SDK exports that handler imports, so the ratio is what the handler costs over the SDK it cannot do without.',
    quick: { RUNS: '5' },
  },
  {
    id: 'batch',
    file: 'batch.ts',
    title: 'Batch sending (POST /sms/batch core, Huawei sandbox)',
    about:
      'Wall time of `sendBatch` for 10,000 recipients in 53 groups against the Huawei sandbox in its own process, with latency added per request; records go to memory. Reference: the ideal, requests / concurrency rounds of the added latency (and requests x latency one at a time).',
    quick: { RUNS: '1' },
  },
  {
    id: 'ingest',
    file: 'ingest.ts',
    title: 'Delivery-report ingestion (Huawei, statusCallback)',
    about:
      'Reports per second through the real statusCallback handler into a local DynamoDB, concurrency 16: pushed over HTTP keep-alive to the local Function URL (with the application token; to the per-request URL of a one-number call, bound to its number, and of a 50-number call; JSON batches of 50) by undici’s dispatcher, the leanest client at hand, as it stands for the provider’s pusher, and invoked directly with the Function URL event as Lambda invokes it (with the application token, and for the one-number call: the handler without the HTTP hop). Every push (body, URL, signature) is made before its round is timed: that is the provider’s work. Every report carries Huawei’s `updateTime`: a batch of 50 is then one read of its items and markers and two `BatchWriteItem`s (a report without it would be a conditional `PutItem`). Every path warmed up, then measured in interleaved rounds. Reference: raw conditional `PutItem`s of the very item one report writes, on the same table in the same run (a 4-attribute `PutItem` beside it). CPU per report is this process’s (load generator, Function URL, handler, SDK); the emulator’s is DynamoDB Local’s Java process (read from /proc), which shares the two cores, so on this machine every request the handler makes, and every microsecond of its own CPU, slows the database as well. DynamoDB requests and units per report are counted on the handler’s own client.',
    quick: { REPORTS: '150', ROUNDS: '2' },
    dynamo: true,
  },
  {
    id: 'ingest-signed',
    file: 'ingest.ts',
    env: { PUSH_AUTH: 'signature' },
    title: 'Delivery-report ingestion with pushing keys (Huawei, statusCallback)',
    about:
      'The same benchmark with pushing keys in the secret (`PUSH_AUTH=signature`): every push signed with SDK-HMAC-SHA256 as Huawei signs them, so the signature vouches for the whole push and a report is one conditional `PutItem`, no check beside it. Reference: raw conditional `PutItem`s of the very item one report writes, in the same run.',
    quick: { REPORTS: '150', ROUNDS: '2' },
    dynamo: true,
  },
  {
    id: 'receipts',
    file: 'receipts.ts',
    title: 'Alibaba receipt pushes (statusCallback latency)',
    about:
      'Warm latency of sequential Alibaba receipt pushes (1, 10, 100 receipts each) through the real statusCallback handler into a local DynamoDB. Reference: Alibaba’s ~700 ms answer budget. DynamoDB requests and units per receipt are counted on the handler’s own client.',
    quick: { PUSHES: '40' },
    dynamo: true,
  },
  {
    id: 'send',
    file: 'sendWarm.ts',
    title: 'One POST /sms (sendSms core, warm)',
    about:
      'Warm latency of one single-recipient `sendSms` (real Huawei client to the sandbox over loopback, no added latency; real store on a local DynamoDB), with and without the checks before the provider call, interleaved. Reference: its floor, the same send with no checks. DynamoDB requests and units per send are counted on the stores’ client; also the store read of `GET /sms/{id}`.',
    quick: { SENDS: '50' },
    dynamo: true,
  },
];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    backend: { type: 'string' },
    only: { type: 'string' },
  },
});
const only = args.only?.split(',').map((s) => s.trim());
if (only) {
  const unknown = only.filter((id) => !BENCHES.some((b) => b.id === id));
  if (unknown.length > 0)
    throw new Error(`--only: unknown bench ${unknown.join(', ')} (${BENCHES.map((b) => b.id)})`);
}
if (args.backend && !['dynalite', 'dynamodb-local'].includes(args.backend))
  throw new Error('--backend must be dynalite or dynamodb-local');
const full = !args.quick && !only;
// DynamoDB Local (AWS's emulator, with Java) reports the capacity of index writes too; dynalite
// does not, so it is the fallback only.
const backend = args.backend ?? (javaAvailable() ? 'dynamodb-local' : 'dynalite');
const outDir = resolve(args.out ?? (full ? root : join(root, '.tmp-bench')));
const mdPath = join(outDir, 'BENCHMARKS.md');
const svgPath =
  full && !args.out ? join(root, 'bench', 'benchmarks.svg') : join(outDir, 'benchmarks.svg');

// --- Figures ----------------------------------------------------------------------------------

interface Figure {
  bench: string;
  name: string;
  value: number;
  unit: string;
  reference?: string;
  referenceValue?: number;
  ratio?: number;
  extra?: Record<string, unknown>;
}

interface Ran {
  bench: Bench;
  figures: Figure[];
  output: string;
  code: number | null;
  seconds: number;
  /** Lines that were not figures. */
  rejected: string[];
  /** CloudWatch EMF metric lines the handlers printed on stdout (left out of `output`). */
  emf: { lines: number; bytes: number };
}

function isFigure(value: unknown): value is Figure {
  const f = value as Partial<Figure> | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.bench === 'string' &&
    typeof f.name === 'string' &&
    typeof f.value === 'number' &&
    typeof f.unit === 'string'
  );
}

async function runBench(bench: Bench, scratch: string): Promise<Ran> {
  const jsonPath = join(scratch, `${bench.id}.jsonl`);
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_JSON: jsonPath };
  if (bench.env) Object.assign(env, bench.env);
  if (args.quick) Object.assign(env, bench.quick);
  if (bench.dynamo) env.BACKEND = backend;
  console.log(`\n=== ${bench.id}: node bench/${bench.file}${args.quick ? ' (quick)' : ''}`);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(root, 'bench', bench.file)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Whole lines: the handlers' EMF metric lines (one JSON document each) are counted, not shown.
  const emf = { lines: 0, bytes: 0 };
  let partial = '';
  const takeLines = (text: string) => {
    for (const line of text.split('\n')) {
      if (line.startsWith('{"_aws":')) {
        emf.lines += 1;
        emf.bytes += Buffer.byteLength(line) + 1;
      } else {
        output += `${line}\n`;
        process.stdout.write(`${line}\n`);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const text = partial + chunk;
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    if (end >= 0) takeLines(text.slice(0, end));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (partial) takeLines(partial);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const figures: Figure[] = [];
  const rejected: string[] = [];
  const text = existsSync(jsonPath) ? readFileSync(jsonPath, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isFigure(parsed)) figures.push(parsed);
      else rejected.push(line);
    } catch {
      rejected.push(line);
    }
  }
  console.log(
    `=== ${bench.id}: exit ${code}, ${figures.length} figures, ${seconds.toFixed(0)} s${figures.length === 0 ? ' (no BENCH_JSON lines)' : ''}${emf.lines > 0 ? `; ${emf.lines} EMF metric lines (${num(emf.bytes / 1024)} KiB) not shown` : ''}`,
  );
  return { bench, figures, output, code, seconds, rejected, emf };
}

// --- The machine ------------------------------------------------------------------------------

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty?.[1]) return `${pretty[1]} (${type()} ${release()})`;
  } catch {}
  return `${type()} ${release()}`;
}

function git(...gitArgs: string[]): string {
  try {
    return execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const machine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: `${cpus().length} logical (${availableParallelism()} available to Node)`,
  memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  os: osName(),
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
  started: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  loadBefore: loadavg()
    .map((x) => x.toFixed(2))
    .join(' / '),
  commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain').length > 0 ? ' (with uncommitted changes)' : ''}`,
};

// --- Run --------------------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), 'sms-relay-bench-'));
const runs: Ran[] = [];
try {
  for (const bench of BENCHES)
    if (!only || only.includes(bench.id)) runs.push(await runBench(bench, scratch));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const loadAfter = loadavg()
  .map((x) => x.toFixed(2))
  .join(' / ');
const figures = runs.flatMap((r) => r.figures);
const find = (bench: string, name: string) =>
  figures.find((f) => f.bench === bench && f.name === name);
/** The unit of a figure's reference: that of the figure it names, when it is one, else its own. */
const refUnit = (f: Figure) =>
  (f.reference ? find(f.bench, f.reference)?.unit : undefined) ?? f.unit;

// --- Formatting -------------------------------------------------------------------------------

function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}x`;
}

function money(value: number): string {
  if (!Number.isFinite(value)) return 'not measured';
  if (value === 0) return '$0';
  if (value >= 1) return `$${value.toFixed(2)}`;
  if (value >= 0.01) return `$${value.toFixed(3)}`;
  // Two significant digits, without an exponent.
  return `$${value.toFixed(Math.min(12, 1 - Math.floor(Math.log10(value))))}`;
}

const md = (text: string) => text.replaceAll('|', '\\|');

/** The `extra` of a figure in a few words: setup values, command counts. */
function extraText(extra: Record<string, unknown> | undefined): string {
  if (!extra) return '';
  return Object.entries(extra)
    .filter(([key]) => key !== 'meanMs' && key !== 'billedMeanMs')
    .filter(([, value]) => !(typeof value === 'object' && value && Object.keys(value).length === 0))
    .map(([key, value]) => {
      if (typeof value === 'number') return `${key} ${num(value)}`;
      if (typeof value === 'object' && value !== null)
        return `${key}: ${Object.entries(value)
          .map(([k, v]) => `${typeof v === 'number' ? num(v) : String(v)} ${k}`)
          .join(', ')}`;
      return `${key} ${String(value)}`;
    })
    .join('; ');
}

// --- The cost of a million messages -------------------------------------------------------------

/**
 * Public us-east-1 list prices: inputs, not measurements. Recorded from the AWS pricing pages on
 * `recorded` (this script does not read them): re-check them before quoting a figure.
 */
const PRICES = {
  recorded: '2026-12-01',
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 } as Record<string, number>,
  lambdaRequest: 0.2 / 1e6,
  apiGatewayRestRequest: 3.5 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  secretsManagerCall: 0.05 / 1e4,
  secretMonth: 0.4,
  logsIngestGb: 0.5,
  customMetricMonth: 0.3,
};
const perMillion = (price: number) => {
  const dollars = Number((price * 1e6).toPrecision(6));
  return `$${Number.isInteger(dollars * 100) ? dollars.toFixed(2) : dollars} per million`;
};
const PRICE_ROWS: Array<[string, string, string]> = [
  [
    'Lambda duration',
    `$${PRICES.lambdaGbSecond.arm64} per GB-second on arm64, $${PRICES.lambdaGbSecond.x86_64} on x86_64 (the first 7.5 B / 6 B GB-s of a month)`,
    'aws.amazon.com/lambda/pricing',
  ],
  [
    'Lambda requests',
    `${perMillion(PRICES.lambdaRequest)} (Function URL invocations are ordinary requests; the URL costs nothing more)`,
    'aws.amazon.com/lambda/pricing',
  ],
  [
    'Lambda INIT (cold start)',
    'billed as duration since 2025-08-01 (ZIP packages on managed runtimes)',
    'AWS Compute Blog, "AWS Lambda standardizes billing for INIT Phase"',
  ],
  [
    'API Gateway REST API',
    `${perMillion(PRICES.apiGatewayRestRequest)} requests (the first 333 million of a month)`,
    'aws.amazon.com/api-gateway/pricing',
  ],
  [
    'DynamoDB on-demand writes',
    `${perMillion(PRICES.dynamoWriteUnit)} write request units (since the 2024-11-01 cut)`,
    'aws.amazon.com/dynamodb/pricing/on-demand',
  ],
  [
    'DynamoDB on-demand reads',
    `${perMillion(PRICES.dynamoReadUnit)} read request units (one strongly consistent read of up to 4 KB)`,
    'aws.amazon.com/dynamodb/pricing/on-demand',
  ],
  [
    'CloudWatch (not in the totals)',
    `Logs ingestion $${PRICES.logsIngestGb.toFixed(2)} per GB (Standard class); custom metrics $${PRICES.customMetricMonth.toFixed(2)} per metric per month (the first 10,000)`,
    'aws.amazon.com/cloudwatch/pricing',
  ],
  [
    'Secrets Manager',
    `$${PRICES.secretsManagerCall * 1e4} per 10,000 API calls; $${PRICES.secretMonth.toFixed(2)} per secret per month`,
    'aws.amazon.com/secrets-manager/pricing',
  ],
];

interface FunctionConfig {
  memoryMb: number;
}
const yml = readServerlessYml() as {
  provider?: { memorySize?: number; architecture?: string };
  functions?: Record<string, { memorySize?: number } | null>;
};
const architecture = yml.provider?.architecture ?? 'x86_64';
const gbSecondPrice = PRICES.lambdaGbSecond[architecture] ?? PRICES.lambdaGbSecond.x86_64 ?? 0;
const lambda = (name: string): FunctionConfig => ({
  memoryMb: yml.functions?.[name]?.memorySize ?? yml.provider?.memorySize ?? 1024,
});

interface CostRow {
  service: string;
  what: string;
  quantity: string;
  cost: number;
}

interface Scenario {
  /** For the chart. */
  label: string;
  title: string;
  about: string;
  rows: CostRow[];
  total: number;
}

const missing = new Set<string>();
/** A measured input: the figure's value (or one of its `extra` numbers); NaN when absent. */
function input(bench: string, name: string, key?: string): number {
  const f = find(bench, name);
  const value = key ? f?.extra?.[key] : f?.value;
  if (typeof value !== 'number') {
    missing.add(`${bench}: ${name}${key ? ` (${key})` : ''}`);
    return Number.NaN;
  }
  return value;
}
/** Lambda's billed duration per invocation: the mean of ms rounded up, else the p50 rounded up. */
function billedMs(bench: string, name: string): number {
  const f = find(bench, name);
  const mean = f?.extra?.billedMeanMs;
  if (typeof mean === 'number') return mean;
  return Math.ceil(input(bench, name));
}

function lambdaRow(fn: string, invocations: number, ms: number, source: string): CostRow {
  const gb = lambda(fn).memoryMb / 1024;
  const gbSeconds = invocations * gb * (ms / 1000);
  return {
    service: 'Lambda duration',
    what: `${fn} (${lambda(fn).memoryMb} MB, ${architecture}): ${num(ms)} ms each (${source})`,
    quantity: `${num(invocations)} x ${gb} GB x ${num(ms)} ms = ${num(gbSeconds)} GB-s`,
    cost: gbSeconds * gbSecondPrice,
  };
}

const MESSAGES = 1_000_000;
const sendName = 'both (one parallel round trip)';
const sendWru = input('send', `DynamoDB write units per send, ${sendName}`);
const sendRru = input('send', `DynamoDB read units per send, ${sendName}`);
const sendRequests = input('send', `DynamoDB requests per send, ${sendName}`);
const sendMs = billedMs('send', `${sendName}, p50`);
// As deployed: STATUS_CALLBACK_URL is the stack's own callback, so a one-recipient POST /sms gets
// a per-request URL bound to its number, and its report is one PutItem.
const reportWru = input(
  'ingest',
  'DynamoDB write units per report, per-request URL, one-number call',
);
const reportRru = input(
  'ingest',
  'DynamoDB read units per report, per-request URL, one-number call',
);
const reportRequests = input(
  'ingest',
  'DynamoDB requests per report, per-request URL, one-number call',
);
const reportMs = billedMs('receipts', '1 receipt per push, p50');
const receipt100Wru = input('receipts', 'DynamoDB write units per receipt, 100 per push');
const receipt100Rru = input('receipts', 'DynamoDB read units per receipt, 100 per push');
const receipt100Ms = billedMs('receipts', '100 receipts per push, p50');
const batchFigure = figures.find(
  (f) => f.bench === 'batch' && f.unit === 'ms' && /concurrency \d+$/.test(f.name),
);
const batchRecipients = Number(batchFigure?.extra?.recipients ?? Number.NaN);
if (!batchFigure) missing.add('batch: <recipients>, concurrency <n>');
const batchMs = Math.ceil(batchFigure?.value ?? Number.NaN);
const readRru = input('send', 'DynamoDB read units per getMessage');
const readMs = billedMs('send', 'getMessage (store read), p50');

function scenario(label: string, title: string, about: string, rows: CostRow[]): Scenario {
  return { label, title, about, rows, total: rows.reduce((sum, r) => sum + r.cost, 0) };
}

const single = scenario(
  'A. single sends',
  `A. ${num(MESSAGES)} single-recipient POST /sms, one delivery report each`,
  'Every message its own API call and sendSms invocation (opt-out and per-recipient limit checks on, as deployed), and its delivery report pushed alone to statusCallback.',
  [
    {
      service: 'API Gateway',
      what: 'REST API requests: POST /sms',
      quantity: num(MESSAGES),
      cost: MESSAGES * PRICES.apiGatewayRestRequest,
    },
    {
      service: 'Lambda requests',
      what: 'sendSms + statusCallback invocations',
      quantity: num(2 * MESSAGES),
      cost: 2 * MESSAGES * PRICES.lambdaRequest,
    },
    lambdaRow('sendSms', MESSAGES, sendMs, 'send bench, checks on, mean billed'),
    lambdaRow('statusCallback', MESSAGES, reportMs, 'receipts bench, 1 per push, mean billed'),
    {
      service: 'DynamoDB writes',
      what: `${num(sendWru)} WRU per send + ${num(reportWru)} per report`,
      quantity: `${num(MESSAGES * (sendWru + reportWru))} WRU`,
      cost: MESSAGES * (sendWru + reportWru) * PRICES.dynamoWriteUnit,
    },
    {
      service: 'DynamoDB reads',
      what: `${num(sendRru)} RRU per send + ${num(reportRru)} per report`,
      quantity: `${num(MESSAGES * (sendRru + reportRru))} RRU`,
      cost: MESSAGES * (sendRru + reportRru) * PRICES.dynamoReadUnit,
    },
  ],
);

const batchCalls = MESSAGES / (batchRecipients || Number.NaN);
const bulk = scenario(
  'B. batch sends',
  `B. ${num(MESSAGES)} recipients through POST /sms/batch (${num(batchRecipients)} per call), receipts 100 per push`,
  `sendBatch's duration is the batch bench's (its records go to memory and it runs no opt-out or limit checks, so DynamoDB's share of the time is not in it: a lower bound). DynamoDB units per recipient are the send bench's per-recipient units, as on-demand bills per item written or read, whatever the batching; reports as Alibaba pushes them (100 receipts per push, the receipts bench).`,
  [
    {
      service: 'API Gateway',
      what: 'REST API requests: POST /sms/batch',
      quantity: num(batchCalls),
      cost: batchCalls * PRICES.apiGatewayRestRequest,
    },
    {
      service: 'Lambda requests',
      what: 'sendBatch + statusCallback invocations',
      quantity: num(batchCalls + MESSAGES / 100),
      cost: (batchCalls + MESSAGES / 100) * PRICES.lambdaRequest,
    },
    lambdaRow('sendBatch', batchCalls, batchMs, 'batch bench, concurrency as configured'),
    lambdaRow('statusCallback', MESSAGES / 100, receipt100Ms, 'receipts bench, 100 per push'),
    {
      service: 'DynamoDB writes',
      what: `${num(sendWru)} WRU per recipient + ${num(receipt100Wru)} per receipt`,
      quantity: `${num(MESSAGES * (sendWru + receipt100Wru))} WRU`,
      cost: MESSAGES * (sendWru + receipt100Wru) * PRICES.dynamoWriteUnit,
    },
    {
      service: 'DynamoDB reads',
      what: `${num(sendRru)} RRU per recipient + ${num(receipt100Rru)} per receipt`,
      quantity: `${num(MESSAGES * (sendRru + receipt100Rru))} RRU`,
      cost: MESSAGES * (sendRru + receipt100Rru) * PRICES.dynamoReadUnit,
    },
  ],
);

const polled = scenario(
  'GET per message',
  `Add-on: one GET /sms/{id} per message (${num(MESSAGES)})`,
  'If callers poll each message once. getMessage duration: the store read measured in the send bench (its Queries of the message’s partitions).',
  [
    {
      service: 'API Gateway',
      what: 'REST API requests: GET /sms/{id}',
      quantity: num(MESSAGES),
      cost: MESSAGES * PRICES.apiGatewayRestRequest,
    },
    {
      service: 'Lambda requests',
      what: 'getMessage invocations',
      quantity: num(MESSAGES),
      cost: MESSAGES * PRICES.lambdaRequest,
    },
    lambdaRow('getMessage', MESSAGES, readMs, 'send bench, store read, mean billed'),
    {
      service: 'DynamoDB reads',
      what: `${num(readRru)} RRU per read (consistent Queries)`,
      quantity: `${num(MESSAGES * readRru)} RRU`,
      cost: MESSAGES * readRru * PRICES.dynamoReadUnit,
    },
  ],
);

// Cold starts: the secret fetch and the billed INIT phase (the bundle's import time).
interface ColdStart {
  fn: string;
  secretCalls: number | undefined;
  initMs: number | undefined;
  secretCost: number;
  initCost: number;
  /** NaN when a part is not measured. */
  cost: number;
}
/** Where each function's Secrets Manager calls per cold start are counted. */
const coldSecret: Record<string, [string, string]> = {
  sendSms: ['send', 'Secrets Manager calls per cold start (sendSms, Huawei)'],
  statusCallback: ['ingest', 'Secrets Manager calls per cold start (statusCallback, Huawei)'],
};
const coldStarts: ColdStart[] = ['sendSms', 'statusCallback', 'sendBatch', 'getMessage'].map(
  (fn) => {
    const counted = coldSecret[fn];
    const secretFigure = counted ? find(...counted) : undefined;
    const init = find('coldstart', `${fn} import`);
    if (!init) missing.add(`coldstart: ${fn} import`);
    if (counted && !secretFigure) missing.add(`${counted[0]}: ${counted[1]}`);
    // getMessage reads no secret (its role may not); sendBatch's is not counted by any bench.
    const secretCalls = fn === 'getMessage' ? 0 : secretFigure?.value;
    const initMs = init ? Math.ceil(init.value) : undefined;
    const secretCost = (secretCalls ?? Number.NaN) * PRICES.secretsManagerCall;
    const initCost = ((initMs ?? Number.NaN) / 1000) * (lambda(fn).memoryMb / 1024) * gbSecondPrice;
    return { fn, secretCalls, initMs, secretCost, initCost, cost: secretCost + initCost };
  },
);
const coldOf = (fn: string) => coldStarts.find((c) => c.fn === fn)?.cost ?? Number.NaN;
const coldShare = 0.01;
const coldA = coldShare * MESSAGES * (coldOf('sendSms') + coldOf('statusCallback'));
// EMF bytes per statusCallback invocation, over the benches that drive the real handler.
const emfRuns = runs.filter((r) => r.bench.id === 'ingest' || r.bench.id === 'receipts');
const emfInvocations = emfRuns.reduce(
  (sum, r) => sum + (find(r.bench.id, 'statusCallback invocations')?.value ?? 0),
  0,
);
const emfPerInvocation =
  emfInvocations > 0
    ? emfRuns.reduce((sum, r) => sum + r.emf.bytes, 0) / emfInvocations
    : undefined;
const perHundredMs = MESSAGES * (lambda('sendSms').memoryMb / 1024) * 0.1 * gbSecondPrice;

// --- The chart (SVG by hand) ------------------------------------------------------------------

const esc = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

function chart(): string {
  const width = 960;
  const labelWidth = 330;
  const barWidth = 330;
  const rowHeight = 32;
  const referenced = figures.filter(
    (f) =>
      f.referenceValue !== undefined && Number.isFinite(f.referenceValue) && f.referenceValue > 0,
  );
  const parts: string[] = [];
  let y = 56;
  parts.push(
    `<text x="16" y="28" class="title">sms-relay benchmarks: each figure beside its reference</text>`,
    `<text x="16" y="46" class="note">${esc(`${machine.date}, node ${machine.node}, ${machine.cpu}, ${machine.cores}${full ? '' : ' — QUICK/PARTIAL RUN'}`)}</text>`,
  );
  let lastBench = '';
  for (const f of referenced) {
    if (f.bench !== lastBench) {
      y += 10;
      const title = BENCHES.find((b) => b.id === f.bench)?.title ?? f.bench;
      parts.push(`<text x="16" y="${y + 12}" class="bench">${esc(title)}</text>`);
      y += 20;
      lastBench = f.bench;
    }
    const ref = f.referenceValue ?? 0;
    const max = Math.max(f.value, ref);
    const w = (v: number) => Math.max(1, (v / max) * barWidth);
    const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
    parts.push(
      `<text x="24" y="${y + 11}" class="label">${esc(cut(f.name, 48))}</text>`,
      `<text x="24" y="${y + 24}" class="note">${esc(cut(`vs ${f.reference ?? 'reference'}`, 56))}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w(f.value).toFixed(1)}" height="10" class="value"><title>${esc(`${f.name}: ${num(f.value)} ${f.unit}`)}</title></rect>`,
      `<rect x="${labelWidth}" y="${y + 15}" width="${w(ref).toFixed(1)}" height="10" class="ref"><title>${esc(`${f.reference ?? 'reference'}: ${num(ref)} ${refUnit(f)}`)}</title></rect>`,
      `<text x="${labelWidth + barWidth + 10}" y="${y + 12}" class="label">${esc(`${num(f.value)} ${f.unit}`)}</text>`,
      `<text x="${labelWidth + barWidth + 10}" y="${y + 25}" class="note">${esc(`${num(ref)} ${refUnit(f)} · ratio ${ratio(f.ratio ?? f.value / ref)}`)}</text>`,
    );
    y += rowHeight;
  }
  if (referenced.length === 0) {
    parts.push(`<text x="24" y="${y + 12}" class="label">no figure with a reference</text>`);
    y += rowHeight;
  }
  // Legend.
  y += 6;
  parts.push(
    `<rect x="24" y="${y}" width="14" height="10" class="value"/><text x="44" y="${y + 9}" class="note">measured</text>`,
    `<rect x="110" y="${y}" width="14" height="10" class="ref"/><text x="130" y="${y + 9}" class="note">its reference; bars scaled per row to the larger of the two</text>`,
  );
  y += 34;

  // Cost per million, stacked by service.
  parts.push(
    `<text x="16" y="${y}" class="title">Cost of ${num(MESSAGES)} messages on AWS (us-east-1 list prices recorded ${PRICES.recorded})</text>`,
  );
  y += 14;
  const services = [
    'API Gateway',
    'Lambda requests',
    'Lambda duration',
    'DynamoDB writes',
    'DynamoDB reads',
  ];
  const colors = ['#8e6bbf', '#e0a030', '#d9622b', '#2f7ebc', '#5fb3d9'];
  const scenarios = [single, bulk];
  const segment = (s: Scenario, service: string) =>
    s.rows
      .filter((r) => r.service === service && Number.isFinite(r.cost))
      .reduce((a, r) => a + r.cost, 0);
  const maxTotal = Math.max(
    ...scenarios.map((s) => services.reduce((sum, service) => sum + segment(s, service), 0)),
    1e-9,
  );
  for (const s of scenarios) {
    y += 12;
    parts.push(`<text x="24" y="${y + 12}" class="label">${esc(s.label)}</text>`);
    let x = 130;
    const scale = (width - 130 - 190) / maxTotal;
    services.forEach((service, i) => {
      const cost = segment(s, service);
      if (cost <= 0) return;
      const w = cost * scale;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w).toFixed(1)}" height="18" fill="${colors[i]}"><title>${esc(`${service}: ${money(cost)}`)}</title></rect>`,
      );
      x += w;
    });
    parts.push(
      `<text x="${(x + 8).toFixed(1)}" y="${y + 13}" class="label">${Number.isFinite(s.total) ? money(s.total) : 'incomplete (inputs missing)'}</text>`,
    );
    y += 24;
  }
  y += 8;
  let lx = 24;
  services.forEach((service, i) => {
    parts.push(
      `<rect x="${lx}" y="${y}" width="12" height="12" fill="${colors[i]}"/><text x="${lx + 16}" y="${y + 10}" class="note">${esc(service)}</text>`,
    );
    lx += 30 + service.length * 7;
  });
  y += 28;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${esc(`sms-relay benchmarks (${machine.date}): each figure beside its reference, and the cost of ${num(MESSAGES)} messages on AWS`)}</title>`,
    '<style>.title{font-size:16px;font-weight:600;fill:#222}.bench{font-size:13px;font-weight:600;fill:#333}.label{font-size:12px;fill:#333}.note{font-size:11px;fill:#666}.ref{fill:#b8b8b8}.value{fill:#2f7ebc}</style>',
    `<rect width="${width}" height="${y}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

// --- BENCHMARKS.md ----------------------------------------------------------------------------

function costTable(s: Scenario): string[] {
  return [
    `### ${s.title}`,
    '',
    s.about,
    '',
    '| service | what | quantity | cost |',
    '| --- | --- | --- | ---: |',
    ...s.rows.map((r) => `| ${r.service} | ${md(r.what)} | ${md(r.quantity)} | ${money(r.cost)} |`),
    `| **total** | | | **${Number.isFinite(s.total) ? money(s.total) : 'incomplete'}** |`,
    '',
  ];
}

function markdown(svgRef: string): string {
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  if (!full)
    lines.push(
      `> **${args.quick ? 'Quick' : 'Partial'} run** (${args.quick ? 'fewer iterations' : `only ${only?.join(', ')}`}): figures for trying \`npm run bench\` out, not for comparison. The committed BENCHMARKS.md comes from a full run (\`npm run bench\`).`,
      '',
    );
  lines.push(
    `Written by \`npm run bench\` (bench/run.ts), which runs every benchmark in sequence, each as its own process, and reads the figures each one appends to \`BENCH_JSON\` (one JSON line per figure). Benchmarks print figures; tests never assert them. Shared machines are noisy: compare a figure with its reference from the same run rather than across runs.`,
    '',
    '| machine | |',
    '| --- | --- |',
    `| CPU | ${md(machine.cpu)} |`,
    `| cores | ${machine.cores} |`,
    `| memory | ${machine.memory} |`,
    `| OS | ${md(machine.os)} |`,
    `| Node | ${machine.node} |`,
    `| date | ${machine.date} (started ${machine.started}) |`,
    `| load average (1/5/15 min) | ${machine.loadBefore} before, ${loadAfter} after |`,
    `| commit | ${machine.commit || 'unknown'} |`,
    `| DynamoDB backend | ${backend === 'dynamodb-local' ? 'DynamoDB Local (AWS’s emulator, Java, its own process)' : 'dynalite (in the bench’s process; it reports no index capacity)'} |`,
    `| run | ${runs.map((r) => `${r.bench.id} ${r.seconds.toFixed(0)} s${r.code === 0 ? '' : ` (exit ${r.code})`}`).join(', ')} |`,
    '',
    `![Each figure beside its reference, and the cost of a million messages](${svgRef})`,
    '',
    '## Figures',
    '',
  );
  for (const r of runs) {
    lines.push(`### ${r.bench.title}`, '', `\`node bench/${r.bench.file}\`. ${r.bench.about}`, '');
    if (r.code !== 0)
      lines.push(
        `**The bench failed (exit ${r.code})**: its output is under "Raw output" below.`,
        '',
      );
    if (r.figures.length === 0) {
      lines.push(
        'No figures: the bench wrote no `BENCH_JSON` lines. Its console output is under "Raw output" below.',
        '',
      );
      continue;
    }
    lines.push(
      '| figure | value | reference | reference value | ratio | setup |',
      '| --- | ---: | --- | ---: | ---: | --- |',
    );
    for (const f of r.figures)
      lines.push(
        `| ${md(f.name)} | ${num(f.value)} ${f.unit} | ${md(f.reference ?? '')} | ${f.referenceValue === undefined ? '' : `${num(f.referenceValue)} ${refUnit(f)}`} | ${f.ratio === undefined ? '' : ratio(f.ratio)} | ${md(extraText(f.extra))} |`,
      );
    if (r.rejected.length > 0)
      lines.push(
        '',
        `${r.rejected.length} line(s) of BENCH_JSON were not figures and were left out.`,
      );
    lines.push('');
  }

  lines.push(
    '## Cost',
    '',
    `What ${num(MESSAGES)} messages cost on AWS, computed from what the benchmarks measured per message: DynamoDB requests and consumed capacity counted on the handlers’ own document client (bench/dynamoCount.ts: a middleware on its middleware stack asks every call for \`ReturnConsumedCapacity: TOTAL\` and adds up what DynamoDB answers; on demand, capacity units are request units), Secrets Manager calls counted by the local endpoint, and Lambda durations as measured (mean of each invocation rounded up to 1 ms, as Lambda bills). Memory sizes and architecture come from serverless.yml. Prices are inputs, below.`,
    '',
    `**Prices** (inputs: public us-east-1 list prices, recorded ${PRICES.recorded}; \`PRICES\` in bench/run.ts):`,
    '',
    '| item | price | source |',
    '| --- | --- | --- |',
    ...PRICE_ROWS.map(([item, price, source]) => `| ${item} | ${price} | ${source} |`),
    '',
    `**Configuration** (serverless.yml): ${architecture}; ${['sendSms', 'sendBatch', 'statusCallback', 'getMessage'].map((fn) => `${fn} ${lambda(fn).memoryMb} MB`).join(', ')}.`,
    '',
    '**Measured per message** (the figures used):',
    '',
    '| | DynamoDB requests | write units | read units | billed duration | from |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| one send (POST /sms, 1 recipient, checks on) | ${num(sendRequests)} | ${num(sendWru)} | ${num(sendRru)} | ${num(sendMs)} ms | send: ${sendName} |`,
    `| one Huawei report, pushed alone (per-request URL of a one-number call) | ${num(reportRequests)} | ${num(reportWru)} | ${num(reportRru)} | | ingest: per-request URL, one-number call |`,
    `| one Alibaba receipt, pushed alone | ${num(input('receipts', 'DynamoDB requests per receipt, 1 per push'))} | ${num(input('receipts', 'DynamoDB write units per receipt, 1 per push'))} | ${num(input('receipts', 'DynamoDB read units per receipt, 1 per push'))} | ${num(reportMs)} ms | receipts: 1 per push |`,
    `| one receipt in a push of 100 | ${num(input('receipts', 'DynamoDB requests per receipt, 100 per push'))} | ${num(receipt100Wru)} | ${num(receipt100Rru)} | ${num(receipt100Ms)} ms per push | receipts: 100 per push |`,
    `| one GET /sms/{id} (store read) | ${num(input('send', 'DynamoDB requests per getMessage'))} | 0 | ${num(readRru)} | ${num(readMs)} ms | send: getMessage |`,
    `| ${num(batchRecipients)} recipients through sendBatch | | | | ${num(batchMs)} ms | batch: ${batchFigure?.name ?? '—'} |`,
    '',
    ...costTable(single),
    ...costTable(bulk),
    ...costTable(polled),
    '### Cold starts',
    '',
    `Each new Lambda container fetches the secret (Secrets Manager calls counted by the local endpoint at the first invocation; none after while warm: the secret is cached for 15 minutes, \`MAX_AGE_SECONDS\` in shared/secrets.ts, so a container warm for an hour makes 4 calls more) and pays its INIT phase, billed as duration (taken as the bundle's import time from the cold-start bench; the runtime's own start is not in it).`,
    '',
    '| function | Secrets Manager calls | their cost | INIT (import) | its cost | per 1,000 cold starts |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...coldStarts.map(
      (c) =>
        `| ${c.fn} (${lambda(c.fn).memoryMb} MB) | ${c.fn === 'getMessage' ? '0 (reads no secret)' : c.secretCalls === undefined ? `not measured${c.fn === 'sendBatch' ? ' (the router sendSms builds)' : ''}` : num(c.secretCalls)} | ${money(c.secretCost)} | ${c.initMs === undefined ? 'not measured' : `${c.initMs} ms`} | ${money(c.initCost)} | ${Number.isFinite(c.cost) ? money(c.cost * 1000) : Number.isFinite(c.initCost) ? `${money(c.initCost * 1000)} + the secret fetch` : 'not measured'} |`,
    ),
    '',
    `At cold starts in ${coldShare * 100}% of invocations (AWS's own figure for production workloads, "under 1%", when it started billing INIT), scenario A adds ${Number.isFinite(coldA) ? money(coldA) : 'an amount not measured in this run'} (${num(coldShare * 2 * MESSAGES)} cold starts). The secret itself costs ${money(PRICES.secretMonth)} a month whatever the traffic.`,
    '',
    '### What the figures leave out',
    '',
    `- **Provider and network latency.** The benches run on loopback: the sandbox answers at once (the send bench adds no latency) and DynamoDB is local. Deployed, sendSms waits for Huawei or Alibaba and for DynamoDB in the region; Lambda bills that wait. Every 100 ms more per invocation at ${lambda('sendSms').memoryMb} MB adds ${money(perHundredMs)} per ${num(MESSAGES)} invocations.`,
    `- **CPU share.** Lambda gives a function CPU in proportion to its memory (one vCPU at 1,769 MB): at ${lambda('sendSms').memoryMb} MB about ${((lambda('sendSms').memoryMb / 1769) * 100).toFixed(0)}% of one, against a full core of this machine here, so the CPU-bound part of each duration runs several times longer there (the INIT phase is not throttled this way). Read the Lambda lines as a floor.`,
    `- **CloudWatch.** Not in the totals. The handlers print CloudWatch EMF metric lines${emfPerInvocation === undefined ? '' : ` (statusCallback in the ingest and receipts benches: ${num(emfPerInvocation)} bytes per invocation)`}; deployed they also log (the benches silence the logger) and Lambda adds its START/END/REPORT lines. Logs ingestion costs $${PRICES.logsIngestGb.toFixed(2)} per GB: each KB per invocation adds ${money(MESSAGES * 1024 * (PRICES.logsIngestGb / 2 ** 30))} per ${num(MESSAGES)} invocations. EMF metrics are billed per metric a month ($${PRICES.customMetricMonth.toFixed(2)} each for the first 10,000), whatever the traffic.`,
    '- **Not counted:** CloudWatch Logs storage, DynamoDB storage and point-in-time recovery (per GB-month), data transfer out, the SMS providers’ own prices (by far the largest item) and free tiers. Failed conditional writes (a duplicate report) would be counted, as DynamoDB bills them; none occur in these runs.',
    `- **Emulator capacity.** Units are what the local DynamoDB (${backend}) reports for each call (ReturnConsumedCapacity TOTAL: the table and its indexes), raised per call to the least DynamoDB documents billing where the emulator reports less: one unit per item written (a failed conditional write of a new item included), and a read of an item that does not exist as one strongly consistent read (DynamoDB Local reports 0 for a BatchGetItem key that matches nothing, both emulators 0 for an empty Query). Each figure's \`reported\` shows the emulator's own number. dynalite reports no index capacity: with it, writes of items that carry an index's keys count short.`,
    '',
  );
  if (missing.size > 0)
    lines.push(
      '**Inputs missing from this run** (their lines read "not measured" or NaN):',
      '',
      ...[...missing].map((m) => `- ${md(m)}`),
      '',
    );

  lines.push('## Raw output', '');
  for (const r of runs)
    lines.push(
      `<details><summary>${r.bench.id}: node bench/${r.bench.file} (${r.seconds.toFixed(0)} s, exit ${r.code})</summary>`,
      '',
      '```text',
      r.output.trimEnd(),
      ...(r.emf.lines > 0
        ? [
            `[${r.emf.lines} CloudWatch EMF metric lines (${num(r.emf.bytes / 1024)} KiB) on stdout, left out]`,
          ]
        : []),
      '```',
      '',
      '</details>',
      '',
    );
  lines.push(
    '<details><summary>Every figure as the benches wrote it (BENCH_JSON lines)</summary>',
    '',
    '```json',
    ...figures.map((f) => JSON.stringify(f)),
    '```',
    '',
    '</details>',
    '',
  );
  return lines.join('\n');
}

mkdirSync(outDir, { recursive: true });
mkdirSync(dirname(svgPath), { recursive: true });
writeFileSync(svgPath, chart());
writeFileSync(mdPath, markdown(relative(dirname(mdPath), svgPath).split('\\').join('/')));
console.log(`\nwrote ${relative(root, mdPath) || mdPath} and ${relative(root, svgPath)}`);
const failed = runs.filter((r) => r.code !== 0);
if (failed.length > 0) {
  console.error(`failed: ${failed.map((r) => `${r.bench.id} (exit ${r.code})`).join(', ')}`);
  process.exitCode = 1;
}
if (missing.size > 0) console.error(`cost inputs missing: ${[...missing].join('; ')}`);
