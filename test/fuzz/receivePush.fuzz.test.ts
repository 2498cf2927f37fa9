/**
 * Property-based fuzzing of the whole receive path (issue 11, item 7): 10,000 generated pushes
 * through `receivePush` with the real Huawei and Alibaba receivers (their real parsers and
 * acknowledgements; Alibaba's real token check), a third receiver whose parser returns arbitrary
 * reports (part counts of every kind: 0, 256, NaN, 1.5...), an in-memory store that applies
 * reports with the real delivery state machine, and an in-memory opt-out store.
 *
 * Properties: `receivePush` answers or throws an AppError, never anything else; whatever it
 * stores satisfies the port's invariants (1 ≤ sequence ≤ total ≤ 255, one of four statuses,
 * string ids, a sane ISO `updatedAt` or none); it stores exactly the valid reports the receiver
 * read and never one it refuses; a push it refuses before reading (path, method, authentication)
 * stores nothing and changes no opt-out.
 *
 * The Huawei receiver's `authenticate` is replaced by a verdict drawn per case: its token and
 * signature checks have tests of their own, and this fuzz is about what comes after them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAlibabaReceiver } from '../../shared/alibaba/receipts.ts';
import { receivePush } from '../../shared/core/receivePush.ts';
import { applyReport, type DeliveryState } from '../../shared/delivery/state.ts';
import { isAppError, StoreError } from '../../shared/errors.ts';
import { createHuaweiReceiver } from '../../shared/huawei/receiver.ts';
import { logger } from '../../shared/logger.ts';
import type {
  DeliveryReport,
  InboundMessage,
  Push,
  PushAnswer,
  PushReceiver,
  PushRequest,
} from '../../shared/ports/push.ts';
import type { OptOutStore } from '../../shared/store/optOuts.ts';
import type { MessageStore } from '../../shared/store/types.ts';
import { muteServiceLogs } from '../helpers/logScan.ts';
import { alibabaPushes, FUZZ_NOW, huaweiPushes, isoInstant } from './pushBodies.ts';
import { check, reportProblem } from './pushChecks.ts';

const RUNS = 10_000;
const RECEIPT_TOKEN = 'fuzz-receipt-token-0123456789';
const HUAWEI_SECRET = {
  appKey: 'fuzz-app-key',
  appSecret: 'not-a-secret-fuzz-fixture', // a fake app's key, only for this test
  sender: 'fuzz',
};
const PAST_MS = 30 * 86_400_000;
const FUTURE_MS = 86_400_000;

/** A store that keeps everything in memory, applying reports with the real state machine. */
function memoryStore(fails: boolean): MessageStore & {
  reports: DeliveryReport[];
  inbound: InboundMessage[];
} {
  const states = new Map<string, DeliveryState>();
  const seenInbound = new Set<string>();
  const reports: DeliveryReport[] = [];
  const inbound: InboundMessage[] = [];
  return {
    reports,
    inbound,
    recordMessages: async () => {},
    getMessage: async () => ({}),
    listDue: async () => ({ messageIds: [] }),
    discardMessages: async () => {},
    scheduleCheck: async () => {},
    async applyReport(report, receivedAt) {
      if (fails) throw new StoreError('the table is unavailable (injected)');
      reports.push(report);
      const key = `${report.provider}|${report.trackingId}`;
      const { state, changed } = applyReport(states.get(key), report, receivedAt);
      states.set(key, state);
      return { changed };
    },
    async applyReports(list, receivedAt) {
      const results = [];
      for (const report of list) results.push(await this.applyReport(report, receivedAt));
      return results;
    },
    async recordInbound(message) {
      if (fails) throw new StoreError('the table is unavailable (injected)');
      inbound.push(message);
      const key = `${message.provider}|${message.providerMessageId}`;
      const changed = !seenInbound.has(key);
      seenInbound.add(key);
      return { changed };
    },
  };
}

function memoryOptOuts(): OptOutStore & { writes: unknown[][] } {
  const writes: unknown[][] = [];
  return {
    writes,
    optedOut: async () => new Set(),
    get: async () => undefined,
    put: async (...args) => {
      writes.push(['put', ...args]);
      return { changed: true };
    },
    remove: async (...args) => {
      writes.push(['remove', ...args]);
      return true;
    },
  };
}

/** Reports a parser could return, part counts of every kind (the core must filter them). */
const partCount = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 300 }) },
  { weight: 1, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      0,
      1,
      255,
      256,
      1.5,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
    ),
  },
);
const anyReport: fc.Arbitrary<DeliveryReport> = fc
  .record({
    providerMessageId: fc.string({ minLength: 1, maxLength: 20 }),
    providerStatus: fc.constantFrom('DELIVRD', 'UNDELIV', '1', 'X'),
    status: fc.constantFrom('accepted', 'delivered', 'failed', 'expired'),
    total: partCount,
    sequence: partCount,
    updatedAt: fc.option(isoInstant, { nil: undefined }),
  })
  .map((r) => ({ provider: 'fuzz', trackingId: r.providerMessageId, ...r }));
const anyPush: fc.Arbitrary<Push> = fc.record({
  reports: fc.array(anyReport, { maxLength: 12 }),
  inbound: fc.constant<Push['inbound']>([]),
  invalid: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Push['invalid']>([]) },
    { weight: 1, arbitrary: fc.constant<Push['invalid']>([{ path: '[0].y', message: 'bad' }]) },
  ),
});

interface Case {
  what: string;
  request: PushRequest;
  /** The Huawei and fuzz receivers' verdict (Alibaba's is its real token check). */
  authenticated: boolean;
  storeFails: boolean;
  /** What the fuzz receiver's parser returns. */
  push: Push;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const method = fc.oneof(
  { weight: 20, arbitrary: fc.constant('POST') },
  { weight: 1, arbitrary: fc.constantFrom('GET', 'get', 'PUT', 'HEAD', 'post') },
);
const alibabaQuery = fc.oneof(
  { weight: 12, arbitrary: fc.constant(`token=${RECEIPT_TOKEN}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      'token=',
      'token=wrong',
      `token=${RECEIPT_TOKEN}x`,
      `x=1&token=${RECEIPT_TOKEN}`,
      `token=${RECEIPT_TOKEN}&token=other`,
      `TOKEN=${RECEIPT_TOKEN}`,
    ),
  },
);

const cases: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(
            huaweiPushes,
            fc.constantFrom('/', '', '/callback', '//', '/alibaba/x'),
            fc.constantFrom('', 'token=anything'),
          )
          .map(([p, path, query]) => ({
            what: `huawei ${p.what}`,
            path,
            query,
            contentType: p.contentType,
            body: utf8(p.body),
          })),
      },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            alibabaPushes,
            fc.constantFrom('/alibaba', '/alibaba/', '/alibaba//'),
            alibabaQuery,
          )
          .map(([p, path, query]) => ({
            what: `alibaba ${p.what}`,
            path,
            query,
            contentType: 'application/json' as string | undefined,
            body: utf8(p.body),
          })),
      },
      {
        weight: 2,
        arbitrary: fc.constant({
          what: 'fuzz receiver',
          path: '/fuzz',
          query: '',
          contentType: undefined as string | undefined,
          body: new Uint8Array(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.uint8Array({ maxLength: 200 }),
            fc.constantFrom('/', '/alibaba'),
            fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
          )
          .map(([bytes, path, contentType]) => ({
            what: 'random bytes',
            path,
            query: `token=${RECEIPT_TOKEN}`,
            contentType: contentType as string | undefined,
            body: bytes,
          })),
      },
    ),
    method,
    fc.integer({ min: 0, max: 19 }).map((n) => n !== 0),
    fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    anyPush,
  )
  .map(([r, m, authenticated, storeFails, push]) => ({
    what: r.what,
    request: {
      method: m,
      path: r.path,
      query: r.query,
      headers: r.contentType === undefined ? {} : { 'content-type': r.contentType },
      body: r.body,
    },
    authenticated,
    storeFails,
    push,
  }));

/** The receiver `receivePush` picks for a path (SPEC: `/alibaba` is Alibaba's, anything else `/`). */
function receiverName(path: string): 'huawei' | 'alibaba' | 'fuzz' {
  const normal = path.replace(/\/+$/, '') || '/';
  if (normal === '/alibaba') return 'alibaba';
  if (normal === '/fuzz') return 'fuzz';
  return 'huawei';
}

const shorten = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);
function describeCase(c: Case): string {
  return `${c.what} ${c.request.method} ${c.request.path}?${c.request.query} ${JSON.stringify(c.request.headers)} auth=${c.authenticated} storeFails=${c.storeFails} body=${JSON.stringify(shorten(Buffer.from(c.request.body).toString('utf8')))}${c.what === 'fuzz receiver' ? ` push=${shorten(JSON.stringify(c.push))}` : ''}`;
}

/** The report as `receivePush` must store it: its own time only when sane (SPEC). */
function sane(report: DeliveryReport): DeliveryReport {
  if (report.updatedAt === undefined) return report;
  const at = Date.parse(report.updatedAt);
  const now = FUZZ_NOW.getTime();
  if (Number.isFinite(at) && at >= now - PAST_MS && at <= now + FUTURE_MS) return report;
  const { updatedAt: _dropped, ...rest } = report;
  return rest;
}

const withinParts = (r: DeliveryReport) =>
  Number.isInteger(r.total) &&
  Number.isInteger(r.sequence) &&
  r.total >= 1 &&
  r.total <= 255 &&
  r.sequence >= 1 &&
  r.sequence <= r.total;
const sortedJson = (list: readonly unknown[]) => list.map((x) => JSON.stringify(x)).sort();

describe('receivePush under fuzzing', () => {
  it(`answers or refuses ${RUNS.toLocaleString('en')} generated pushes with AppErrors only, storing exactly the valid reports`, async () => {
    const unmute = muteServiceLogs();
    let verdict = true;
    let fuzzPush: Push = { reports: [], inbound: [], invalid: [] };
    const huaweiReal = createHuaweiReceiver({ secret: async () => HUAWEI_SECRET });
    const huawei: PushReceiver = {
      ...huaweiReal,
      authenticate: async () =>
        verdict ? { ok: true, by: 'signature' } : { ok: false, reason: 'fuzz verdict' },
    };
    const alibaba = createAlibabaReceiver({
      secret: async () => ({ receiptToken: RECEIPT_TOKEN }),
      now: () => FUZZ_NOW.getTime(),
    });
    const fuzz: PushReceiver = {
      provider: 'fuzz',
      path: '/fuzz',
      authenticate: async () =>
        verdict ? { ok: true, by: 'signature' } : { ok: false, reason: 'fuzz verdict' },
      // A fresh copy each time: receivePush adds to `invalid`.
      parse: () => structuredClone(fuzzPush),
      acknowledge: (result) => ({ status: 200, body: JSON.stringify(result) }),
    };
    const receivers = { huawei, alibaba, fuzz };
    const tally = new Map<string, number>();
    const started = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          verdict = c.authenticated;
          fuzzPush = c.push;
          const store = memoryStore(c.storeFails);
          const optOuts = memoryOptOuts();
          let answer: PushAnswer | undefined;
          let thrown: unknown;
          try {
            answer = await receivePush(c.request, {
              receivers: [huawei, alibaba, fuzz],
              store,
              optOuts,
              log: logger,
              now: () => FUZZ_NOW,
            });
          } catch (error) {
            thrown = error;
          }
          try {
            const outcome =
              thrown === undefined
                ? String(answer?.status)
                : String((thrown as { code?: unknown }).code);
            const key = `${c.what.split(' ')[0]} ${outcome}`;
            tally.set(key, (tally.get(key) ?? 0) + 1);

            // Answers, or AppErrors: never a TypeError or anything else.
            if (thrown !== undefined)
              check(
                isAppError(thrown),
                () => `threw ${String(thrown)} ${(thrown as Error)?.stack ?? ''}`,
              );
            else {
              check(answer?.status === 200, `answered ${answer?.status}`);
              check(typeof answer.body === 'string', 'a string body');
            }
            // Whatever was stored is a report of the port's shape with a sane time.
            for (const report of store.reports) {
              const problem = reportProblem(report);
              check(problem === undefined, () => `stored ${problem}: ${JSON.stringify(report)}`);
              if (report.updatedAt !== undefined) {
                const at = Date.parse(report.updatedAt);
                check(
                  at >= FUZZ_NOW.getTime() - PAST_MS && at <= FUZZ_NOW.getTime() + FUTURE_MS,
                  `stored time ${report.updatedAt}`,
                );
              }
            }

            // What must have happened, step by step as SPEC describes the callback.
            const name = receiverName(c.request.path);
            const receiver = receivers[name];
            const nothingStored = () => {
              check(store.reports.length === 0 && store.inbound.length === 0, 'nothing stored');
              check(optOuts.writes.length === 0, 'no opt-out changed');
            };
            if (name === 'alibaba' && c.request.method.toUpperCase() === 'GET') {
              check(answer?.body === '{"code":0,"msg":"OK"}', 'the console check is answered');
              return nothingStored();
            }
            if (c.request.method !== 'POST') {
              check(
                (thrown as { code?: string })?.code === 'method_not_allowed',
                'method_not_allowed',
              );
              return nothingStored();
            }
            const authenticated =
              name === 'alibaba'
                ? new URLSearchParams(c.request.query).get('token') === RECEIPT_TOKEN
                : c.authenticated;
            if (!authenticated) {
              check((thrown as { code?: string })?.code === 'unauthorized', 'unauthorized');
              return nothingStored();
            }
            let parsed: Push;
            try {
              parsed = receiver.parse(c.request);
            } catch (error) {
              check(
                (thrown as { code?: string })?.code === (error as { code?: string }).code,
                'the parser’s refusal is the answer',
              );
              return nothingStored();
            }
            const valid = parsed.reports.filter(withinParts);
            const refused = parsed.reports.length - valid.length;
            if (c.storeFails && (valid.length > 0 || parsed.inbound.length > 0)) {
              check(
                (thrown as { code?: string })?.code === 'store_unavailable',
                'store_unavailable',
              );
              check(store.reports.length === 0 && store.inbound.length === 0, 'nothing stored');
              return;
            }
            // Exactly the valid reports, each once (its time kept only when sane), and the replies.
            expect(sortedJson(store.reports), 'stored reports').toEqual(
              sortedJson(valid.map(sane)),
            );
            expect(sortedJson(store.inbound), 'stored replies').toEqual(sortedJson(parsed.inbound));
            if (parsed.invalid.length > 0 || refused > 0) {
              const error = thrown as { code?: string; details?: unknown[] };
              check(
                error?.code === 'invalid_request',
                () => `invalid_request, not ${String(thrown ?? answer?.status)}`,
              );
              check(
                error.details?.length === parsed.invalid.length + refused,
                'every refused entry named',
              );
            } else {
              check(thrown === undefined, () => `refused a valid push: ${String(thrown)}`);
            }
          } catch (error) {
            throw new Error(
              `${(error as Error).message}\nanswer: ${thrown === undefined ? JSON.stringify(answer) : String(thrown)}\ncase: ${describeCase(c)}`,
            );
          }
        }),
        { numRuns: RUNS },
      );
    } finally {
      unmute();
    }
    const ms = performance.now() - started;
    console.log(
      `receivePush fuzz: ${RUNS} cases in ${(ms / 1000).toFixed(1)} s`,
      Object.fromEntries([...tally].sort()),
    );
    for (const key of [
      'huawei 200',
      'huawei invalid_request',
      'alibaba 200',
      'alibaba invalid_request',
      'alibaba unauthorized',
      'fuzz 200',
      'fuzz invalid_request',
      'huawei store_unavailable',
    ])
      expect(tally.get(key), key).toBeGreaterThan(50);
  }, 120_000);
});
