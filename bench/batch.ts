// sendBatch throughput against the sandbox with added latency per request (a benchmark, not a
// test): 10,000 recipients in mixed groups, with the configured concurrency and, in the same run,
// one request at a time; beside the ideal (ceil(requests / concurrency) x latency).
// Run: npm run bench:batch   (LATENCY_MS=20 CONCURRENCY=8 RUNS=5)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../sandbox/huawei/server.ts';
import { sendBatch } from '../shared/core/sendBatch.ts';
import { createHuaweiClient } from '../shared/huawei/client.ts';
import type { SendBatchRequest } from '../shared/schemas/sendBatch.ts';
import type { MessageStore } from '../shared/store/types.ts';
import { createAgent } from '../shared/transport/agent.ts';
import { deadlineIn } from '../shared/util/deadline.ts';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 20);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const RUNS = Number(process.env.RUNS ?? 5);

// The sandbox runs in its own process, as Huawei would: its work does not share this event loop.
const child = spawn(
  process.execPath,
  [
    new URL('../sandbox/cli.ts', import.meta.url).pathname,
    '--port',
    '0',
    '--latency-ms',
    String(LATENCY_MS),
    '--delivery-delay-ms',
    '3600000',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout });
let sandboxUrl = '';
for await (const line of lines) {
  const m = /listening on (\S+)/.exec(line);
  if (m?.[1]) {
    sandboxUrl = m[1];
    break;
  }
}
child.stdout.resume(); // its per-request log lines are not needed
const sandbox = { url: sandboxUrl };
const credentials = { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER };
const agent = createAgent({
  connectTimeoutMs: 3_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxIdleMs: 15_000,
});
const provider = createHuaweiClient({
  endpoint: sandbox.url,
  auth: 'aksk',
  wsseDigest: 'hex',
  credentials: { get: async () => credentials, refresh: async () => credentials },
  dispatcher: agent,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
});
// Sending is what is measured: records go to memory (the store has its own benchmark).
let recorded = 0;
const store: MessageStore = {
  recordMessages: async (records) => {
    recorded += records.length;
  },
  applyReport: async () => ({ changed: false }),
  applyReports: async (reports) => reports.map(() => ({ changed: false })),
  getMessage: async () => ({}),
  recordInbound: async () => ({ changed: false }),
  listDue: async () => ({ messageIds: [] }),
  discardMessages: async () => {},
  scheduleCheck: async () => {},
};
const log = { info() {}, warn() {}, error() {}, debug() {} };

// Singapore mobiles: 8 digits after +65 (anything else is refused before the provider sees it).
const numbers = (count: number, prefix: string, digits = 6) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(digits, '0')}`);
const request: SendBatchRequest = {
  reference: 'bench',
  messages: [
    { to: numbers(2_500, '+6591'), templateId: 'a', templateParas: ['123456'] },
    { to: numbers(1_000, '+6592'), templateId: 'b', templateParas: ['x', 'y'] },
    ...Array.from({ length: 50 }, (_, i) => ({
      to: numbers(10, `+6593${String(i).padStart(2, '0')}`, 4),
      templateId: `g${i}`,
    })),
    { to: numbers(6_000, '+6581'), templateId: 'c' },
  ],
};
const recipients = request.messages.reduce((sum, g) => sum + g.to.length, 0);

async function run(concurrency: number) {
  const started = process.hrtime.bigint();
  const result = await sendBatch(
    request,
    { router: { route: () => provider }, store, log, concurrency },
    deadlineIn(60_000),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.counts.accepted !== recipients)
    throw new Error(`not all accepted: ${JSON.stringify(result.counts)}`);
  return { ms, requests: result.requests };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
await run(CONCURRENCY); // warm: connections, JIT
const timings = { concurrent: [] as number[], sequential: [] as number[] };
let requests = 0;
for (let i = 0; i < RUNS; i++) {
  const concurrent = await run(CONCURRENCY);
  requests = concurrent.requests;
  timings.concurrent.push(concurrent.ms);
  timings.sequential.push((await run(1)).ms);
}
const ideal = Math.ceil(requests / CONCURRENCY) * LATENCY_MS;
const concurrent = median(timings.concurrent);
const sequential = median(timings.sequential);
console.log(
  `node ${process.version}; ${recipients} recipients in ${request.messages.length} groups; ${requests} requests; sandbox latency ${LATENCY_MS} ms; medians of ${RUNS} runs`,
);
console.log(
  `concurrency ${CONCURRENCY}:`.padEnd(20),
  `${concurrent.toFixed(0)} ms`.padStart(8),
  `${Math.round((recipients / concurrent) * 1000).toLocaleString('en')} recipients/s`.padStart(22),
);
console.log(
  'one at a time:'.padEnd(20),
  `${sequential.toFixed(0)} ms`.padStart(8),
  `${Math.round((recipients / sequential) * 1000).toLocaleString('en')} recipients/s`.padStart(22),
);
console.log(
  'ideal:'.padEnd(20),
  `${ideal} ms`.padStart(8),
  `  = ceil(${requests} / ${CONCURRENCY}) x ${LATENCY_MS} ms`,
);
console.log(
  `speed-up over one at a time: ${(sequential / concurrent).toFixed(2)}x; overhead over ideal: ${(concurrent - ideal).toFixed(0)} ms (signing, JSON, sandbox checks); ${recorded} records written`,
);
// BENCH_JSON=<file>: one JSON line per figure (read by bench/run.ts, `npm run bench`).
const setup = {
  recipients,
  groups: request.messages.length,
  requests,
  latencyMs: LATENCY_MS,
  runs: RUNS,
};
function figure(line: Record<string, unknown>): void {
  if (process.env.BENCH_JSON)
    appendFileSync(process.env.BENCH_JSON, `${JSON.stringify({ bench: 'batch', ...line })}\n`);
}
figure({
  name: `${recipients.toLocaleString('en')} recipients, concurrency ${CONCURRENCY}`,
  value: concurrent,
  unit: 'ms',
  reference: `ideal: ceil(${requests} / ${CONCURRENCY}) x ${LATENCY_MS} ms`,
  referenceValue: ideal,
  ratio: concurrent / ideal,
  extra: {
    ...setup,
    concurrency: CONCURRENCY,
    recipientsPerSecond: (recipients / concurrent) * 1000,
  },
});
figure({
  name: `${recipients.toLocaleString('en')} recipients, one request at a time`,
  value: sequential,
  unit: 'ms',
  reference: `ideal: ${requests} x ${LATENCY_MS} ms`,
  referenceValue: requests * LATENCY_MS,
  ratio: sequential / (requests * LATENCY_MS),
  extra: { ...setup, concurrency: 1, recipientsPerSecond: (recipients / sequential) * 1000 },
});
figure({
  name: `speed-up of concurrency ${CONCURRENCY} over one at a time`,
  value: sequential / concurrent,
  unit: 'x',
  extra: setup,
});
await agent.close();
child.kill('SIGTERM');
await once(child, 'exit');
