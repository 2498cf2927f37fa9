// Signatures per second for both Huawei schemes (a benchmark, not a test: prints figures).
// Run: npm run bench:signer
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

function rate(name: string, fn: (i: number) => unknown, seconds = 1): void {
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
}

console.log(`node ${process.version}, body ${built.body.length} bytes (10 recipients)`);
rate('SDK-HMAC-SHA256 (batchSendSms form)', (i) =>
  signAkSk(
    { method: 'POST', url, headers, body: built.body },
    credentials,
    new Date(1_742_000_000_000 + i),
  ),
);
rate('X-WSSE (hex digest)', (i) => signWsse(credentials, new Date(1_742_000_000_000 + i), `n${i}`));
rate('X-WSSE (raw digest)', (i) =>
  signWsse(credentials, new Date(1_742_000_000_000 + i), `n${i}`, 'raw'),
);
