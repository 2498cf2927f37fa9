/**
 * Property-based fuzzing of both providers' push parsers (issue 11, item 7): 10,000 generated
 * pushes each. A parser either returns `{reports, inbound, invalid}`, every report within the
 * port's invariants, or throws an AppError `invalid_request`; never anything else. Every entry of
 * a batch is accounted for exactly once (a report, or named in `invalid`), and a valid entry is
 * never refused for a neighbour's fault.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlibabaReceipts } from '../../shared/alibaba/receiptParse.ts';
import { isAppError } from '../../shared/errors.ts';
import { parseHuaweiPush } from '../../shared/huawei/pushes.ts';
import type { Push } from '../../shared/ports/push.ts';
import {
  type AlibabaPush,
  alibabaPushes,
  type HuaweiPush,
  huaweiPushes,
  namedIndexes,
} from './pushBodies.ts';
import { check, checkPush } from './pushChecks.ts';

const RUNS = 10_000;

/** Runs `parse`; its error must be an `invalid_request` AppError. Undefined when it threw. */
function parseOrRefuse(parse: () => Push): Push | undefined {
  try {
    return parse();
  } catch (error) {
    expect(isAppError(error), `threw ${String(error)}`).toBe(true);
    expect((error as { code: string }).code).toBe('invalid_request');
    expect((error as Error).message).not.toBe('');
    return undefined;
  }
}

function shown(value: { what: string; body: string }): string {
  const body =
    value.body.length > 400
      ? `${value.body.slice(0, 400)}… (${value.body.length} chars)`
      : value.body;
  return `${value.what}: ${JSON.stringify(body)}`;
}

/** Runs a property, adding the case to any failure's message; counts outcomes by kind. */
function run<T extends { what: string; body: string }>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => 'parsed' | 'refused',
): Map<string, number> {
  const tally = new Map<string, number>();
  fc.assert(
    fc.property(arbitrary, (value) => {
      try {
        const outcome = check(value);
        const key = `${value.what} ${outcome}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      } catch (error) {
        throw new Error(`${(error as Error).message}\ncase: ${shown(value)}`);
      }
    }),
    { numRuns: RUNS },
  );
  return tally;
}

function checkHuawei(p: HuaweiPush): 'parsed' | 'refused' {
  const push = parseOrRefuse(() => parseHuaweiPush(p.contentType, p.body));
  const type = (p.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (!push) {
    // Only an unreadable body is refused whole: never a readable batch within the bound.
    if (type === 'application/json' && p.what === 'JSON batch')
      throw new Error('a readable batch was refused');
    return 'refused';
  }
  checkPush(push, 'huawei');
  if (type === 'application/json') {
    const json = JSON.parse(p.body) as { statusReportList?: unknown } | null;
    const list = json?.statusReportList;
    expect(push.inbound).toEqual([]);
    const own = p.what.startsWith('JSON');
    if (Array.isArray(list)) {
      const named = namedIndexes(push.invalid, /^statusReportList\[(\d+)\]/);
      for (const problem of push.invalid)
        check(/^statusReportList\[\d+\]\./.test(problem.path), `path ${problem.path}`);
      expect(push.reports.length + named.size, 'every entry a report or named once').toBe(
        list.length,
      );
      if (own) {
        p.entries?.forEach((entry, i) => {
          if (entry.valid) expect(named.has(i), `valid entry ${i} refused`).toBe(false);
        });
      }
    } else {
      expect(push.reports.length + (push.invalid.length > 0 ? 1 : 0)).toBe(1);
      if (own && p.what === 'JSON report' && p.entries?.[0]?.valid)
        expect(push.reports).toHaveLength(1);
    }
  } else {
    expect(type).toBe('application/x-www-form-urlencoded');
    const fields = Object.fromEntries(new URLSearchParams(p.body));
    if (fields.status === undefined && fields.body !== undefined) {
      expect(push.inbound).toHaveLength(1);
      expect(push.reports).toEqual([]);
    } else {
      expect(push.inbound).toEqual([]);
      expect(push.reports.length + (push.invalid.length > 0 ? 1 : 0)).toBe(1);
    }
    if (p.what.startsWith('form') && p.entries?.[0]?.valid) {
      expect(push.invalid).toEqual([]);
      expect(push.reports.length + push.inbound.length).toBe(1);
    }
  }
  return 'parsed';
}

function checkAlibaba(p: AlibabaPush): 'parsed' | 'refused' {
  const push = parseOrRefuse(() => parseAlibabaReceipts(p.body));
  if (!push) {
    if (p.what === 'receipts') throw new Error('a readable array of receipts was refused');
    return 'refused';
  }
  checkPush(push, 'alibaba');
  for (const report of push.reports)
    check(report.total === 1 && report.sequence === 1, 'one part per receipt');
  const json = JSON.parse(p.body) as unknown[];
  expect(Array.isArray(json)).toBe(true);
  expect(push.inbound).toEqual([]);
  const named = namedIndexes(push.invalid, /^\[(\d+)\]/);
  for (const problem of push.invalid) check(/^\[\d+\]/.test(problem.path), `path ${problem.path}`);
  expect(push.reports.length + named.size, 'every entry a report or named once').toBe(json.length);
  p.entries?.forEach((entry, i) => {
    if (entry.valid) expect(named.has(i), `valid entry ${i} refused`).toBe(false);
  });
  return 'parsed';
}

describe('push parsers under fuzzing', () => {
  it(`parseHuaweiPush: ${RUNS.toLocaleString('en')} pushes, each read or refused as invalid_request`, () => {
    const started = performance.now();
    const tally = run(huaweiPushes, checkHuawei);
    console.log(
      `parseHuaweiPush fuzz: ${RUNS} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      Object.fromEntries(tally),
    );
    expect(tally.get('JSON batch parsed')).toBeGreaterThan(RUNS * 0.1);
    expect(tally.get('form report parsed')).toBeGreaterThan(RUNS * 0.05);
    expect(tally.get('form uplink parsed')).toBeGreaterThan(RUNS * 0.03);
    expect(tally.get('garbage refused')).toBeGreaterThan(RUNS * 0.05);
  }, 120_000);

  it(`parseAlibabaReceipts: ${RUNS.toLocaleString('en')} pushes, each read or refused as invalid_request`, () => {
    const started = performance.now();
    const tally = run(alibabaPushes, checkAlibaba);
    console.log(
      `parseAlibabaReceipts fuzz: ${RUNS} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      Object.fromEntries(tally),
    );
    expect(tally.get('receipts parsed')).toBeGreaterThan(RUNS * 0.5);
    expect(tally.get('not an array refused')).toBeGreaterThan(100);
    expect(tally.get('garbage refused')).toBeGreaterThan(RUNS * 0.05);
  }, 120_000);
});
