import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formBody as form, jsonBody as json, sendSigned } from '../../sandbox/huawei/client.ts';
import {
  JSON_PATH,
  type Sandbox,
  type SandboxMessage,
  startSandbox,
} from '../../sandbox/huawei/server.ts';

/** Bodies of the pushes the receiver got, by path. */
let received: Array<{ path: string; body: string }> = [];
let receiver: Server;
let origin: string;
let sandbox: Sandbox;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ deliveryDelayMs: 10 });
});
afterAll(async () => {
  await sandbox.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  sandbox.reset();
  received = [];
});

type Api = 'batchSendSms' | 'batchSendDiffSms';

/** One optional field, given empty or left out, and what Huawei documents for it. */
interface Row {
  api: Api;
  field: 'statusCallback' | 'extend' | 'signature' | 'templateParas';
  /** `''` for a text field; for JSON templateParas (a string array) the empty value is `[]`. */
  given: "''" | '[]' | 'absent';
  code: '000000' | 'E000503';
  huawei: string;
  /** What the accepted message and its reports show. */
  shows?: (message: SandboxMessage, reports: Array<Record<string, string>>) => void;
}

const noReports = (message: SandboxMessage, reports: unknown[]) => {
  expect(message.statusCallback).toBeUndefined();
  expect(reports).toEqual([]);
};
const noExtend = (_m: SandboxMessage, reports: Array<Record<string, string>>) => {
  expect(reports).toHaveLength(1);
  expect(reports[0]).not.toHaveProperty('extend');
  expect(reports[0]).not.toHaveProperty('to');
};
const noSignature = (message: SandboxMessage) => expect(message.signature).toBeUndefined();
const noVariables = (message: SandboxMessage) => expect(message.templateParas).toEqual([]);

const NO_REPORTS = 'empty or left unspecified: "customers do not receive status reports"';
// biome-ignore format: one row per line reads as the table it is
const ROWS: Row[] = [
  ...(['batchSendSms', 'batchSendDiffSms'] as const).flatMap((api): Row[] => [
    { api, field: 'statusCallback', given: "''", code: '000000', huawei: NO_REPORTS, shows: noReports },
    { api, field: 'statusCallback', given: 'absent', code: '000000', huawei: NO_REPORTS, shows: noReports },
    { api, field: 'extend', given: "''", code: 'E000503', huawei: 'String(1-128): empty is no value' },
    { api, field: 'extend', given: 'absent', code: '000000', huawei: 'reports carry no extend (nor to)', shows: noExtend },
    { api, field: 'signature', given: "''", code: '000000', huawei: "not required: set it to ''", shows: noSignature },
    { api, field: 'signature', given: 'absent', code: '000000', huawei: 'not required for international SMS', shows: noSignature },
    { api, field: 'templateParas', given: 'absent', code: '000000', huawei: 'omitted for a template without variables', shows: noVariables },
  ]),
  { api: 'batchSendSms', field: 'templateParas', given: "''", code: '000000', huawei: 'a template without variables: "assign an empty value"', shows: noVariables },
  { api: 'batchSendDiffSms', field: 'templateParas', given: '[]', code: '000000', huawei: 'a template without variables: templateParas = []', shows: noVariables },
  { api: 'batchSendDiffSms', field: 'templateParas', given: "''", code: 'E000503', huawei: 'String Array: a string is the wrong type' },
];

/** The request for a row: a valid one with a callback here, then the row's field set or dropped. */
function requestFor(row: Row): { body: string; path?: string } {
  const callback = row.field === 'statusCallback' ? {} : { statusCallback: `${origin}/cb` };
  const value = row.given === 'absent' ? undefined : row.given === '[]' ? [] : '';
  if (row.api === 'batchSendSms') {
    return { body: form({ ...callback, [row.field]: value as string | undefined }) };
  }
  const perEntry = row.field === 'signature' || row.field === 'templateParas';
  const body = perEntry
    ? json(callback, { [row.field]: value })
    : json({ ...callback, [row.field]: value });
  return { body, path: JSON_PATH };
}

describe('empty and absent optional fields, as Huawei documents them', () => {
  it.each(ROWS)('$api $field $given: $code ($huawei)', async (row) => {
    const { body, path } = requestFor(row);
    const answer = await sendSigned(sandbox.url, body, path ? { path } : {});
    expect(answer.body.code).toBe(row.code);
    if (row.code !== '000000') {
      expect(answer.status).toBe(400);
      expect(sandbox.messages.size).toBe(0);
      return;
    }
    await sandbox.idle();
    const [message] = sandbox.messages.values();
    if (!message) throw new Error('nothing accepted');
    const reports = received.map((push) => Object.fromEntries(new URLSearchParams(push.body)));
    row.shows?.(message, reports);
  });

  it('sends the reports of an empty statusCallback to the app report URL, as for an absent one', async () => {
    const withReportUrl = await startSandbox({ deliveryDelayMs: 10, reportUrl: `${origin}/batch` });
    try {
      await sendSigned(withReportUrl.url, form({ statusCallback: '' }));
      await sendSigned(withReportUrl.url, json({ statusCallback: '' }), { path: JSON_PATH });
      await sendSigned(withReportUrl.url, form());
      await withReportUrl.idle();
      const batched = received.flatMap(
        (push) => (JSON.parse(push.body) as { statusReportList: unknown[] }).statusReportList,
      );
      expect(received.every((push) => push.path === '/batch')).toBe(true);
      expect(batched).toHaveLength(3);
    } finally {
      await withReportUrl.close();
    }
  });
});
