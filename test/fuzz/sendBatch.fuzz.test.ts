/**
 * Property-based fuzzing of `POST /sms/batch` through the real handler (issue 11, item 7), and of
 * the scheduled-reminder path of the same handler: 10,000
 * generated requests (arbitrary JSON and values, random text and bytes, invalid UTF-8, lone
 * surrogates, prototype keys, huge and deep values, and near-valid bodies with one field mutated)
 * against the local Huawei sandbox. Every answer is JSON below 500; an error is 400, 413 or 415 in
 * SPEC's shape, never a stack trace; nothing of a refused request, and no premium-rate, satellite
 * or landline number ever, reached the sandbox (`apiHarness.ts` has the properties).
 */
import type { Handler } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { lambdaContext } from '../helpers/lambda.ts';
import { loadHandler, localEnv, useLocalServices } from '../helpers/localServices.ts';
import { muteServiceLogs } from '../helpers/logScan.ts';
import { NEVER_SENT_PREFIXES, scheduledPayloads } from './apiBodies.ts';
import { fuzzApi, sentNumbers } from './apiHarness.ts';

const RUNS = 10_000;

const local = useLocalServices({
  table: 'fuzz-send-batch',
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
    '../../functions/sendBatch.ts',
    localEnv(local.services, { SMS_SECRET_ID: 'fuzz', SMS_RECIPIENT_LIMIT: 'off' }),
  );
});
afterAll(() => unmute());

describe('POST /sms/batch under fuzzing', () => {
  it(`answers ${RUNS.toLocaleString('en')} generated requests without a 5xx, and sends nothing it refuses`, async () => {
    const { tally, ms } = await fuzzApi({
      route: 'batch',
      handler: () => handler,
      sandbox: () => local.services.sandbox,
      logs: () => local.logs,
      maxBodyBytes: 1024 * 1024,
      runs: RUNS,
    });
    console.log(tally.summary('POST /sms/batch fuzz', ms));
    expect(tally.cases).toBe(RUNS);
    // The mix stays a fuzz of both sides: many refusals of each kind, and real sends.
    expect(tally.status(202)).toBeGreaterThan(RUNS * 0.03);
    expect(tally.status(400)).toBeGreaterThan(RUNS * 0.5);
    expect(tally.status(413)).toBeGreaterThan(20);
    expect(tally.status(415)).toBeGreaterThan(100);
  }, 120_000);
});

describe('a scheduled reminder (sendBatch invoked with the payload itself) under fuzzing', () => {
  const SCHEDULED_RUNS = 2_000;

  it(`never throws for ${SCHEDULED_RUNS.toLocaleString('en')} generated payloads, and sends nothing it refuses`, async () => {
    const context = lambdaContext(29_000);
    let valid = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(scheduledPayloads(), async (c) => {
        local.services.sandbox.reset();
        // A retried invocation could send twice: the handler must end normally, whatever it got.
        const result = await handler(c.value, context, () => {});
        expect(result).toBeUndefined();
        const sent = sentNumbers(local.services.sandbox.requests);
        for (const number of sent)
          expect(NEVER_SENT_PREFIXES.some((prefix) => number.startsWith(prefix))).toBe(false);
        if (c.expect === 'invalid') expect(sent, `${c.what}: nothing sent`).toEqual([]);
        if (c.expect === 'valid') {
          valid += 1;
          expect(sent.length, `${c.what}: sent`).toBeGreaterThan(0);
        }
      }),
      { numRuns: SCHEDULED_RUNS },
    );
    console.log(
      `scheduled sendBatch fuzz: ${SCHEDULED_RUNS} payloads (${valid} valid) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(valid).toBeGreaterThan(SCHEDULED_RUNS * 0.05);
  }, 60_000);
});
