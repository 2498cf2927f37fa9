import { describe, expect, it } from 'vitest';
import { planChunks } from '../../shared/batch/plan.ts';
import { huaweiLimits } from '../../shared/huawei/batchPlan.ts';
import { buildBatchSendDiffSms } from '../../shared/huawei/builders.ts';
import type { Segment } from '../../shared/ports/provider.ts';

const numbers = (count: number, prefix = '+6591') =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
const group = (count: number, templateId = 't1', prefix?: string) => ({
  to: numbers(count, prefix),
  templateId,
  templateParas: ['123456'],
});
const LIMITS = huaweiLimits('https://abc.lambda-url.ap-southeast-1.on.aws/?token=x', 'reminders');

/** Groups as the core hands them to a provider: one segment per group, every position. */
const segments = (
  groups: ReadonlyArray<{ to: string[]; templateId: string; templateParas?: string[] }>,
): Segment[] =>
  groups.map((g, index) => ({ ...g, group: index, positions: g.to.map((_, k) => k) }));

function check(groups: ReturnType<typeof group>[]) {
  const chunks = planChunks(segments(groups), LIMITS);
  for (const chunk of chunks) {
    const body = buildBatchSendDiffSms({
      from: 'x'.repeat(64),
      statusCallback: 'https://abc.lambda-url.ap-southeast-1.on.aws/?token=x',
      extend: 'reminders',
      smsContent: chunk,
    }).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMITS.maxBytes);
    expect(chunk.length).toBeLessThanOrEqual(LIMITS.maxSegmentsPerRequest);
    for (const segment of chunk) expect(segment.to.length).toBeLessThanOrEqual(500);
  }
  // Every number exactly once, in request order, at the position its segment says.
  const rebuilt = groups.map((g) => new Array<string>(g.to.length));
  for (const segment of chunks.flat()) {
    const slots = rebuilt[segment.group] as string[];
    segment.to.forEach((n, k) => {
      slots[segment.positions[k] as number] = n;
    });
  }
  expect(rebuilt).toEqual(groups.map((g) => g.to));
  expect(chunks.flat().map((s) => [s.group, s.positions[0]])).toEqual(
    [...chunks.flat().map((s) => [s.group, s.positions[0]])].sort(
      (a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number),
    ),
  );
  return chunks;
}

describe('planChunks', () => {
  it.each([
    [499, [[499]]],
    [500, [[500]]],
    [501, [[500, 1]]],
    [1_000, [[500, 500]]],
  ])('splits a group of %i into entries of at most 500', (count, expected) => {
    expect(check([group(count)]).map((chunk) => chunk.map((s) => s.to.length))).toEqual(expected);
  });

  it('keeps 10,000 recipients of one group under 64 KiB per request', () => {
    const chunks = check([group(10_000)]);
    expect(chunks.flat()).toHaveLength(20);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
  });

  it('packs mixed groups in order, splitting only where a limit says so', () => {
    const groups = [
      group(3, 'a'),
      group(700, 'b', '+6592'),
      group(1, 'c', '+6593'),
      group(2_500, 'd', '+6594'),
    ];
    const chunks = check(groups);
    expect(chunks[0]?.slice(0, 5).map((s) => [s.templateId, s.to.length])).toEqual([
      ['a', 3],
      ['b', 500],
      ['b', 200],
      ['c', 1],
      ['d', 500],
    ]);
  });

  it('starts a new request when entries would exceed the entry cap', () => {
    const groups = Array.from({ length: 250 }, (_, i) =>
      group(1, `t${i}`, `+659${String(i).padStart(3, '0')}`),
    );
    const chunks = check(groups);
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it('never puts one number twice in a request: a second group with it starts a new request', () => {
    const groups = [
      { to: ['+6591234567', '+6598765432'], templateId: 'a' },
      { to: ['+6581234567'], templateId: 'b' },
      { to: ['+6591234567'], templateId: 'c' },
    ];
    expect(
      planChunks(segments(groups), LIMITS).map((chunk) => chunk.map((s) => s.templateId)),
    ).toEqual([['a', 'b'], ['c']]);
  });

  it('refuses, as bad input, a group too large to send even to one number', () => {
    const huge = { to: ['+6591234567'], templateId: 't', templateParas: ['x'.repeat(60_000)] };
    expect(() => planChunks(segments([huge]), LIMITS)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it('splits a group whose parameters make 500 numbers too big for one body', () => {
    const heavy = {
      to: numbers(500),
      templateId: 't',
      templateParas: Array.from({ length: 20 }, () => 'x'.repeat(500)),
    };
    const chunks = planChunks(segments([heavy]), { ...LIMITS, maxBytes: 16 * 1024 });
    expect(chunks.flat().length).toBeGreaterThan(1);
    expect(chunks.flat().reduce((sum, s) => sum + s.to.length, 0)).toBe(500);
  });
});
