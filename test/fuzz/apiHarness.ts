/**
 * The properties every fuzzed `POST /sms` and `POST /sms/batch` answer must have, and the
 * bookkeeping of a fuzz run. See `sendSms.fuzz.test.ts` and `sendBatch.fuzz.test.ts`.
 */
import type { APIGatewayProxyResult, Handler } from 'aws-lambda';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { CapturedRequest, Sandbox } from '../../sandbox/huawei/server.ts';
import { apiEvent, lambdaContext } from '../helpers/lambda.ts';
import { type ApiCase, apiCases, NEVER_SENT_PREFIXES } from './apiBodies.ts';

/** The numbers a sandbox request carried (`batchSendSms` form or `batchSendDiffSms` JSON). */
export function sentNumbers(requests: readonly CapturedRequest[]): string[] {
  return requests.flatMap((request) => {
    if (request.body.trimStart().startsWith('{')) {
      const json = JSON.parse(request.body) as { smsContent?: Array<{ to?: string[] }> };
      return (json.smsContent ?? []).flatMap((content) => content.to ?? []);
    }
    return (new URLSearchParams(request.body).get('to') ?? '').split(',').filter(Boolean);
  });
}

/** Results that say the number never went to a provider. */
const REFUSED_BEFORE_SENDING = new Set(['destination_not_allowed', 'opted_out', 'rate_limited']);
const STATUSES = new Set(['accepted', 'rejected', 'unknown', 'not_sent']);
const ERROR_CODES: Record<number, string[]> = {
  400: ['invalid_request', 'template_not_available'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};

interface Entry {
  messageId: unknown;
  to: unknown;
  status: unknown;
  error?: { code?: unknown; message?: unknown };
}

/** The request as the handler read it (for checking a `202` against it). */
function requestBody(c: ApiCase): Record<string, unknown> {
  const text = c.isBase64Encoded ? Buffer.from(c.body ?? '', 'base64').toString() : (c.body ?? '');
  return JSON.parse(text) as Record<string, unknown>;
}

const asList = (to: unknown) => (Array.isArray(to) ? to : [to]) as string[];

function checkEntries(entries: unknown, to: readonly string[], where: string): Entry[] {
  expect(Array.isArray(entries), `${where} is an array`).toBe(true);
  const list = entries as Entry[];
  expect(
    list.map((entry) => entry.to),
    `${where}: one entry per recipient, in order`,
  ).toEqual(to);
  for (const entry of list) {
    expect(typeof entry.messageId).toBe('string');
    expect(STATUSES.has(entry.status as string), `status ${String(entry.status)}`).toBe(true);
    if (entry.status === 'rejected') {
      expect(typeof entry.error?.code).toBe('string');
      expect(typeof entry.error?.message).toBe('string');
    }
  }
  return list;
}

/**
 * Checks one answer. `sent`: the numbers that reached the sandbox while the case ran. Returns the
 * status, for the run's distribution.
 */
export function checkAnswer(
  c: ApiCase,
  result: APIGatewayProxyResult | undefined,
  sent: readonly string[],
  route: 'sms' | 'batch',
): number {
  expect(result, 'an answer').toBeTypeOf('object');
  const answer = result as APIGatewayProxyResult;
  expect(Number.isInteger(answer.statusCode)).toBe(true);
  expect(answer.statusCode, 'never a 5xx').toBeLessThan(500);
  expect(typeof answer.body).toBe('string');
  expect(answer.body, 'never a stack trace').not.toMatch(/\bat .+\.[cm]?[jt]s:\d+|node_modules/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  // Whatever the answer, no number of these kinds ever reaches a provider.
  for (const number of sent) {
    expect(
      NEVER_SENT_PREFIXES.some((prefix) => number.startsWith(prefix)),
      `${number} was sent`,
    ).toBe(false);
  }

  if (answer.statusCode >= 400) {
    expect(ERROR_CODES[answer.statusCode], `status ${answer.statusCode}`).toBeDefined();
    expect(answer.headers?.['content-type']).toBe('application/json');
    expect(Object.keys(body)).toEqual(['error']);
    const error = body.error as Record<string, unknown>;
    expect(ERROR_CODES[answer.statusCode]).toContain(error.code);
    expect(typeof error.message).toBe('string');
    expect(error.message).not.toBe('');
    for (const key of Object.keys(error)) expect(['code', 'message', 'details']).toContain(key);
    if (error.details !== undefined) {
      expect(Array.isArray(error.details)).toBe(true);
      expect((error.details as unknown[]).length).toBeGreaterThan(0);
      for (const detail of error.details as Array<Record<string, unknown>>) {
        expect(typeof detail.path).toBe('string');
        expect(typeof detail.message).toBe('string');
        for (const value of Object.values(detail)) expect(typeof value).toBe('string');
      }
    }
    expect(sent, 'a refused request reaches no provider').toEqual([]);
    expect(c.expect, 'a valid request is sent').not.toBe('valid');
    return answer.statusCode;
  }

  expect(answer.statusCode).toBe(202);
  expect(c.expect, 'an invalid request is refused').not.toBe('invalid');
  const request = requestBody(c);
  const entries: Entry[] = [];
  if (route === 'sms') {
    entries.push(...checkEntries(body.messages, asList(request.to), 'messages'));
  } else {
    const groups = request.messages as Array<{ to: unknown; templateId: string }>;
    const answered = body.groups as Array<{ templateId: unknown; messages: unknown }>;
    expect(answered.map((g) => g.templateId)).toEqual(groups.map((g) => g.templateId));
    answered.forEach((group, i) => {
      entries.push(...checkEntries(group.messages, asList(groups[i]?.to), `groups[${i}]`));
    });
    const counts = body.counts as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(entries.length);
  }
  const asked = new Set(entries.map((entry) => entry.to as string));
  for (const number of sent) expect(asked.has(number), `${number} was not asked for`).toBe(true);
  const sentSet = new Set(sent);
  for (const entry of entries) {
    const code = entry.error?.code as string | undefined;
    if (entry.status === 'rejected' && code && REFUSED_BEFORE_SENDING.has(code)) {
      expect(sentSet.has(entry.to as string), `${String(entry.to)} (${code}) was sent`).toBe(false);
    }
  }
  if (c.expect === 'valid')
    expect(sent.length, 'a valid request reaches the provider').toBeGreaterThan(0);
  return 202;
}

/** Counts of a run: by status, and by kind of case. */
export class Tally {
  readonly byStatus = new Map<number, number>();
  readonly byKind = new Map<string, number>();
  readonly msByKind = new Map<string, number>();
  cases = 0;

  add(c: ApiCase, status: number, ms: number): void {
    this.cases += 1;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    const kind = c.what.replace(/ \(not JSON\)$/, '');
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    this.msByKind.set(kind, (this.msByKind.get(kind) ?? 0) + ms);
  }

  /** The kinds of case that took longest in all. */
  slowest(n = 5): string {
    return [...this.msByKind]
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(1)} s/${this.byKind.get(kind)}`)
      .join(', ');
  }

  status(code: number): number {
    return this.byStatus.get(code) ?? 0;
  }

  summary(label: string, ms: number): string {
    const statuses = [...this.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    return `${label}: ${this.cases} cases in ${(ms / 1000).toFixed(1)} s (${statuses.join(', ')}; ${this.byKind.size} kinds of case; slowest: ${this.slowest()})`;
  }
}

/** A short description of a case for a failure message. */
export function describeCase(c: ApiCase): string {
  const body =
    c.body === null
      ? 'null'
      : c.body.length > 300
        ? `${c.body.slice(0, 300)}… (${c.body.length} chars)`
        : c.body;
  return `${c.what} [expect ${c.expect}] headers=${JSON.stringify(c.headers)} base64=${c.isBase64Encoded} body=${JSON.stringify(body)}`;
}

/**
 * Runs `runs` generated requests through `handler` (one route), each checked by `checkAnswer`
 * against what reached the sandbox meanwhile, and no ERROR logged. Returns the run's tally.
 */
export async function fuzzApi(options: {
  route: 'sms' | 'batch';
  handler: () => Handler;
  sandbox: () => Sandbox;
  logs: () => { lines: string[] };
  maxBodyBytes: number;
  runs: number;
}): Promise<{ tally: Tally; ms: number }> {
  const tally = new Tally();
  const path = options.route === 'sms' ? '/sms' : '/sms/batch';
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(apiCases(options.route, options.maxBodyBytes), async (c) => {
      const sandbox = options.sandbox();
      const lines = options.logs().lines;
      sandbox.reset();
      const logged = lines.length;
      const began = performance.now();
      let result: APIGatewayProxyResult;
      try {
        result = await options.handler()(
          apiEvent({ body: c.body, headers: c.headers, isBase64Encoded: c.isBase64Encoded, path }),
          lambdaContext(),
          () => {},
        );
      } catch (error) {
        throw new Error(`the handler threw ${String(error)} for ${describeCase(c)}`);
      }
      try {
        const status = checkAnswer(c, result, sentNumbers(sandbox.requests), options.route);
        const errors = lines.slice(logged).filter((line) => line.includes('"level":"ERROR"'));
        expect(errors, 'nothing logged as an error').toEqual([]);
        tally.add(c, status, performance.now() - began);
      } catch (error) {
        throw new Error(
          `${(error as Error).message}\nanswer: ${result?.statusCode} ${String(result?.body).slice(0, 500)}\ncase: ${describeCase(c)}`,
        );
      }
    }),
    { numRuns: options.runs },
  );
  return { tally, ms: performance.now() - started };
}
