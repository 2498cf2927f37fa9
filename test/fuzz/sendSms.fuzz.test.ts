/**
 * Property-based fuzzing of `POST /sms` through the real handler (issue 11, item 7): 10,000
 * generated requests (arbitrary JSON and values, random text and bytes, invalid UTF-8, lone
 * surrogates, prototype keys, huge and deep values, and near-valid bodies with one field mutated)
 * against the local Huawei sandbox. Every answer is JSON below 500; an error is 400, 413 or 415 in
 * SPEC's shape, never a stack trace; nothing of a refused request, and no premium-rate, satellite
 * or landline number ever, reached the sandbox (`apiHarness.ts` has the properties).
 */
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { loadHandler, localEnv, useLocalServices } from '../helpers/localServices.ts';
import { muteServiceLogs } from '../helpers/logScan.ts';
import { fuzzApi } from './apiHarness.ts';

const RUNS = 10_000;

const local = useLocalServices({
  table: 'fuzz-send-sms',
  secrets: {
    fuzz: JSON.stringify({
      appKey: LOCAL_APP_KEY,
      appSecret: LOCAL_APP_SECRET,
      sender: LOCAL_SENDER,
    }),
  },
});

let handler: Handler;
let unmute: () => void;
beforeAll(async () => {
  // Hundreds of log lines: recorded for the log scan, kept off the terminal.
  unmute = muteServiceLogs();
  handler = await loadHandler(
    '../../functions/sendSms.ts',
    localEnv(local.services, { SMS_SECRET_ID: 'fuzz', SMS_RECIPIENT_LIMIT: 'off' }),
  );
});
afterAll(() => unmute());

describe('POST /sms under fuzzing', () => {
  it(`answers ${RUNS.toLocaleString('en')} generated requests without a 5xx, and sends nothing it refuses`, async () => {
    const { tally, ms } = await fuzzApi({
      route: 'sms',
      handler: () => handler,
      sandbox: () => local.services.sandbox,
      logs: () => local.logs,
      maxBodyBytes: 64 * 1024,
      runs: RUNS,
    });
    console.log(tally.summary('POST /sms fuzz', ms));
    expect(tally.cases).toBe(RUNS);
    // The mix stays a fuzz of both sides: many refusals of each kind, and real sends.
    expect(tally.status(202)).toBeGreaterThan(RUNS * 0.03);
    expect(tally.status(400)).toBeGreaterThan(RUNS * 0.5);
    expect(tally.status(413)).toBeGreaterThan(20);
    expect(tally.status(415)).toBeGreaterThan(100);
  }, 120_000);
});
