// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${1} is the template registry's slot syntax, not a JS template
import { describe, expect, it } from 'vitest';
import { planAlibabaBatch } from '../../shared/alibaba/batch.ts';
import { createTemplateLookup } from '../../shared/alibaba/check.ts';
import { mostSevere, runJobs } from '../../shared/alibaba/combine.ts';
import { ProviderError } from '../../shared/errors.ts';
import type { RecipientOutcome, Segment } from '../../shared/ports/provider.ts';

const registry: Record<string, unknown> = {
  a: {
    mainland: { templateCode: 'SMS_1', signName: 's', params: ['code'] },
    international: { text: 'A ${1}', from: 'SMSRelay' },
  },
  b: {
    mainland: { templateCode: 'SMS_2', signName: 's', params: ['code'] },
    international: { text: 'B ${1}', from: 'SMSRelay' },
  },
  'a-alias': { mainland: { templateCode: 'SMS_1', signName: 't', params: [] } },
  other: { international: { text: 'C ${1}' } },
};
const templates = createTemplateLookup((id) => registry[id]);

const cn = (i: number) => `+86138${String(i).padStart(8, '0')}`;
const sg = (i: number) => `+659${String(i).padStart(7, '0')}`;

function segment(group: number, templateId: string, to: string[], paras = ['1']): Segment {
  return { group, positions: to.map((_, i) => i), to, templateId, templateParas: paras };
}

const numbersOf = (request: Segment[]) => request.flatMap((s) => s.to);

describe('planBatch', () => {
  it('puts +86 numbers in SendBatchSms requests of at most 100, one TemplateCode each', () => {
    const to = Array.from({ length: 250 }, (_, i) => cn(i));
    const plan = planAlibabaBatch([segment(0, 'a', to)], {}, templates);
    expect(plan.map((r) => numbersOf(r).length)).toEqual([100, 100, 50]);
    expect(plan.flatMap(numbersOf)).toEqual(to);
    expect(plan[1]?.[0]?.positions.slice(0, 2)).toEqual([100, 101]);
    expect(plan.every((r) => r.every((s) => s.group === 0))).toBe(true);
  });

  it('shares a request between groups with the same TemplateCode, never across codes', () => {
    const plan = planAlibabaBatch(
      [
        segment(0, 'a', [cn(1)]),
        segment(1, 'b', [cn(2)]),
        segment(2, 'a-alias', [cn(3)], []),
        segment(3, 'a', [cn(4)]),
      ],
      {},
      templates,
    );
    expect(plan.map((r) => r.map((s) => [s.group, s.to]))).toEqual([
      [
        [0, [cn(1)]],
        [2, [cn(3)]],
        [3, [cn(4)]],
      ],
      [[1, [cn(2)]]],
    ]);
  });

  it('never puts one number twice in a request: two groups to one +86 number would share a BizId', () => {
    const plan = planAlibabaBatch(
      [
        segment(0, 'a', [cn(1), cn(2)]),
        segment(1, 'a', [cn(1)]),
        segment(2, 'other', [sg(1)]),
        segment(3, 'other', [sg(1)]),
      ],
      {},
      templates,
    );
    for (const request of plan) {
      const numbers = numbersOf(request);
      expect(new Set(numbers).size).toBe(numbers.length);
    }
    expect(plan.flatMap(numbersOf).sort()).toEqual([cn(1), cn(1), cn(2), sg(1), sg(1)].sort());
  });

  it('splits a group between the mainland and the international API, positions kept', () => {
    const plan = planAlibabaBatch([segment(4, 'a', [sg(1), cn(1), sg(2)])], {}, templates);
    expect(plan).toEqual([
      [{ group: 4, positions: [1], to: [cn(1)], templateId: 'a', templateParas: ['1'] }],
      [{ group: 4, positions: [0, 2], to: [sg(1), sg(2)], templateId: 'a', templateParas: ['1'] }],
    ]);
  });

  it('puts other numbers in BatchSendMessageToGlobe requests of at most 1,000, one sender id each', () => {
    const to = Array.from({ length: 1_200 }, (_, i) => sg(i));
    const plan = planAlibabaBatch(
      [
        segment(0, 'a', to.slice(0, 600)),
        segment(1, 'other', [sg(9_999)]),
        segment(2, 'b', to.slice(600)),
      ],
      {},
      templates,
      Number.POSITIVE_INFINITY,
    );
    expect(plan.map((r) => r.map((s) => [s.group, s.to.length]))).toEqual([
      [
        [0, 600],
        [2, 400],
      ],
      [[1, 1]],
      [[2, 200]],
    ]);
  });

  it('keeps a BatchSendMessageToGlobe query within its byte budget', () => {
    const to = Array.from({ length: 500 }, (_, i) => sg(i));
    const plan = planAlibabaBatch([segment(0, 'a', to)], { reference: 'r' }, templates);
    expect(plan.length).toBeGreaterThan(1);
    expect(plan.flatMap(numbersOf)).toEqual(to);
    const perNumber =
      encodeURIComponent('"6590000000"').length + encodeURIComponent('"A 1"').length + 6;
    expect(numbersOf(plan[0] as Segment[]).length * perNumber).toBeLessThanOrEqual(16 * 1024);
  });

  it('refuses a segment its template cannot carry', () => {
    expect(() => planAlibabaBatch([segment(3, 'other', [cn(1)])], {}, templates)).toThrow(
      expect.objectContaining({ code: 'template_not_available' }),
    );
    expect(() => planAlibabaBatch([segment(3, 'a', [cn(1)], [])], {}, templates)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});

describe('combining the requests of one send', () => {
  const ok = (to: readonly string[]): RecipientOutcome[] =>
    to.map((n) => ({ to: n, status: 'accepted', providerMessageId: `id-${n}` }));
  const job = (indices: number[], to: string[], result: 'ok' | Error) => ({
    indices,
    to,
    run: async () => {
      if (result !== 'ok') throw result;
      return ok(to);
    },
  });
  const unknown = new ProviderError('provider_timeout', 't', { outcome: 'unknown' });
  const rejected = new ProviderError('provider_rejected', 'r', {
    providerCode: 'isv.DENY_IP_RANGE',
  });
  const unavailable = new ProviderError('provider_unavailable', 'u');

  it('places outcomes at their recipients, whatever the request order', async () => {
    const outcomes = await runJobs(
      3,
      new Map(),
      [job([1], ['b'], 'ok'), job([0, 2], ['a', 'c'], 'ok')],
      2,
    );
    expect(outcomes.map((o) => o.to)).toEqual(['a', 'b', 'c']);
  });

  it('maps the failed requests of a partly failed call per recipient', async () => {
    const outcomes = await runJobs(
      4,
      new Map(),
      [
        job([0], ['a'], 'ok'),
        job([1], ['b'], unknown),
        job([2], ['c'], rejected),
        job([3], ['d'], unavailable),
      ],
      4,
    );
    expect(outcomes).toEqual([
      { to: 'a', status: 'accepted', providerMessageId: 'id-a' },
      { to: 'b', status: 'unknown' },
      { to: 'c', status: 'rejected', error: { code: 'isv.DENY_IP_RANGE', message: 'r' } },
      { to: 'd', status: 'not_sent', error: { code: 'provider_unavailable', message: 'u' } },
    ]);
  });

  it('throws the error of a call that was one failed request', async () => {
    await expect(runJobs(2, new Map(), [job([0, 1], ['a', 'b'], rejected)], 1)).rejects.toBe(
      rejected,
    );
  });

  it('throws the most severe error when every request failed: unknown outcome first', async () => {
    await expect(
      runJobs(
        3,
        new Map(),
        [job([0], ['a'], unavailable), job([1], ['b'], unknown), job([2], ['c'], rejected)],
        3,
      ),
    ).rejects.toBe(unknown);
    expect(mostSevere([unavailable, rejected])).toBe(rejected);
  });
});
