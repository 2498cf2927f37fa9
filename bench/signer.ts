// Signatures per second for both Huawei schemes (a benchmark, not a test: prints figures).
// Run: npm run bench:signer   (SECONDS=1 per figure)
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { buildBatchSendSms } from '../shared/huawei/builders.ts';
import { signAkSk, signWsse } from '../shared/huawei/signer.ts';

const credentials = {
  appKey: 'BenchAppKey0123456789abcd',
  appSecret: 'BenchAppSecret+/=_0123456789',
};
const built = buildBatchSendSms({
  from: 'isms12345678',
  to: Array.from({ length: 10 }, (_, i) => `+659123456${i}`),
  templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
  templateParas: ['123456', '5'],
  statusCallback: 'https://example.com/hw/sms/status?token=0123456789abcdef',
  extend: 'order-42',
});
const url = `https://smsapi.ap-southeast-1.myhuaweicloud.com:443${built.path}`;
const headers = { 'Content-Type': built.contentType };

const SECONDS = Number(process.env.SECONDS ?? 1);

function rate(name: string, fn: (i: number) => unknown, seconds = SECONDS): number {
  for (let i = 0; i < 2_000; i++) fn(i); // warm up
  let count = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(seconds * 1e9);
  while (process.hrtime.bigint() - start < limit) {
    for (let i = 0; i < 500; i++) fn(count++);
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `${name.padEnd(40)} ${Math.round(count / elapsed).toLocaleString('en')} signatures/s`,
  );
  return count / elapsed;
}

console.log(`node ${process.version}, body ${built.body.length} bytes (10 recipients)`);
const aksk = rate('SDK-HMAC-SHA256 (batchSendSms form)', (i) =>
  signAkSk(
    { method: 'POST', url, headers, body: built.body },
    credentials,
    new Date(1_742_000_000_000 + i),
  ),
);
const wsseHex = rate('X-WSSE (hex digest)', (i) =>
  signWsse(credentials, new Date(1_742_000_000_000 + i), `n${i}`),
);
const wsseRaw = rate('X-WSSE (raw digest)', (i) =>
  signWsse(credentials, new Date(1_742_000_000_000 + i), `n${i}`, 'raw'),
);

// The references: the hashing each scheme cannot avoid, on the same inputs, and nothing else
// (SDK-HMAC-SHA256: SHA-256 of the body and of the canonical request, HMAC of the string to sign;
// X-WSSE: one SHA-256 of nonce + created + secret). The gap is building the strings.
const sample = signAkSk(
  { method: 'POST', url, headers, body: built.body },
  credentials,
  new Date(1_742_000_000_000),
);
const akskFloor = rate('  crypto alone: 2 x SHA-256 + HMAC', () => {
  createHash('sha256').update(built.body, 'utf8').digest('hex');
  createHash('sha256').update(sample.canonicalRequest, 'utf8').digest('hex');
  createHmac('sha256', credentials.appSecret).update(sample.stringToSign, 'utf8').digest('hex');
});
const wsseFloor = rate('  crypto alone: 1 x SHA-256', (i) =>
  createHash('sha256')
    .update(`n${i}2025-03-15T00:53:20Z${credentials.appSecret}`, 'utf8')
    .digest('base64'),
);

// BENCH_JSON=<file>: one JSON line per figure (read by bench/run.ts, `npm run bench`).
function figure(name: string, value: number, reference?: [string, number]): void {
  if (!process.env.BENCH_JSON) return;
  const line: Record<string, unknown> = { bench: 'signer', name, value, unit: 'signatures/s' };
  if (reference)
    Object.assign(line, {
      reference: reference[0],
      referenceValue: reference[1],
      ratio: value / reference[1],
    });
  appendFileSync(process.env.BENCH_JSON, `${JSON.stringify(line)}\n`);
}
figure('SDK-HMAC-SHA256 (batchSendSms form)', aksk, [
  'crypto alone: 2 x SHA-256 + HMAC',
  akskFloor,
]);
figure('X-WSSE (hex digest)', wsseHex, ['crypto alone: 1 x SHA-256', wsseFloor]);
figure('X-WSSE (raw digest)', wsseRaw, ['crypto alone: 1 x SHA-256', wsseFloor]);
figure('crypto alone: 2 x SHA-256 + HMAC', akskFloor);
figure('crypto alone: 1 x SHA-256', wsseFloor);
