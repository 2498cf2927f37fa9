import { describe, expect, it } from 'vitest';
import { batchBody, formBody, planReports } from '../../sandbox/huawei/delivery.ts';
import { MAGIC_NUMBERS, magicDeliveryOutcome } from '../../sandbox/huawei/magic.ts';
import type { SandboxMessage } from '../../sandbox/huawei/types.ts';

const message = (fields: Partial<SandboxMessage> = {}): SandboxMessage => ({
  smsMsgId: '5f1c1c1e-0000-4000-8000-000000000000_1',
  to: '+6591234567',
  from: 'isms00000001',
  templateId: 'tpl-0001',
  templateParas: [],
  createdAt: new Date('2026-03-01T10:00:00.900Z'),
  ...fields,
});

describe('sandbox delivery plans', () => {
  it('delivers an ordinary number once, after the delay, with updateTime from the clock', () => {
    const plan = planReports(message(), 'delivered', 1000);
    expect(plan).toHaveLength(1);
    expect(plan[0]?.afterMs).toBe(1000);
    expect(plan[0]?.report).toEqual({
      smsMsgId: '5f1c1c1e-0000-4000-8000-000000000000_1',
      status: 'DELIVRD',
      source: '2',
      updateTime: '2026-03-01T10:00:01Z',
      orgCode: '000',
      total: '1',
      sequence: '1',
    });
  });

  it('adds extend and to together, only with an extend', () => {
    const [withExtend] = planReports(message({ extend: 'x' }), 'delivered', 10);
    expect(withExtend?.report).toMatchObject({ extend: 'x', to: '+6591234567' });
    const [without] = planReports(message(), 'delivered', 10);
    expect(Object.keys(without?.report ?? {})).not.toContain('to');
  });

  it('gives the same report the same field order, and different reports varied ones', () => {
    const a = planReports(message(), 'delivered', 10)[0]?.report ?? {};
    const b = planReports(message(), 'delivered', 10)[0]?.report ?? {};
    expect(formBody(a)).toBe(formBody(b));
    const orders = new Set(
      Array.from({ length: 10 }, (_, i) =>
        Object.keys(
          planReports(message({ smsMsgId: `id_${i}` }), 'delivered', 10)[0]?.report ?? {},
        ).join(','),
      ),
    );
    expect(orders.size).toBeGreaterThan(1);
  });

  it.each([50, 1000, 5000])('backdates the late ACCEPTD by at least one second (delay %i)', (d) => {
    const [delivered, accepted] = planReports(message(), 'out_of_order', d).map((p) => p.report);
    expect(accepted?.status).toBe('ACCEPTD');
    expect((accepted?.updateTime ?? '') < (delivered?.updateTime ?? '')).toBe(true);
  });

  it('encodes a batch as JSON statusReportList with string values', () => {
    const reports = planReports(message(), 'two_part', 10).map((p) => p.report);
    const parsed = JSON.parse(batchBody(reports));
    expect(parsed.statusReportList.map((r: Record<string, unknown>) => r.sequence)).toEqual([
      '1',
      '2',
    ]);
  });

  it.each([
    ['route_error', { status: 'RTE_ERR', source: '2', orgCode: 'E200027' }],
    ['minute_limit', { status: 'MILIMIT', source: '2', orgCode: 'MILIMIT' }],
    ['blocklisted', { status: 'BLACK', source: '2', orgCode: 'BLACK' }],
    ['operator_blocklisted', { status: 'MBBLACK', source: '2', orgCode: 'MBBLACK' }],
    ['deleted', { status: 'DELETED', source: '2', orgCode: 'DELETED' }],
    ['unknown', { status: 'UNKNOWN', source: '2', orgCode: 'UNKNOWN' }],
    ['gateway_unmatched', { status: 'E200027', source: '3' }],
    ['expired_unreported', { status: 'EXPIRED', source: '1' }],
  ] as const)('reports %s with the fields Huawei sends for it', (outcome, expected) => {
    const plan = planReports(message(), outcome, 1000);
    expect(plan.map((p) => p.afterMs)).toEqual([1000]);
    const { statusDesc, ...report } = plan[0]?.report ?? {};
    const fromSmsc = expected.source === '2';
    expect(report).toEqual({
      smsMsgId: '5f1c1c1e-0000-4000-8000-000000000000_1',
      ...expected,
      // Only the SMSC's report has a receipt time; the platform's own reports have none.
      ...(fromSmsc ? { updateTime: '2026-03-01T10:00:01Z' } : {}),
      total: '1',
      sequence: '1',
    });
    // The guide's RTE_ERR example carries no statusDesc; every other failure explains itself.
    expect(statusDesc === undefined).toBe(outcome === 'route_error');
  });

  it('sends orgCode for international SMS only, never for a Chinese mainland number', () => {
    for (const outcome of ['delivered', 'undelivered', 'route_error'] as const) {
      const [mainland] = planReports(message({ to: '+8615123456789' }), outcome, 10);
      expect(mainland?.report).not.toHaveProperty('orgCode');
      expect(mainland?.report).toHaveProperty('updateTime');
      const [international] = planReports(message(), outcome, 10);
      expect(international?.report).toHaveProperty('orgCode');
    }
  });

  it('maps every delivery magic number to its outcome and others to delivered', () => {
    const delivery = MAGIC_NUMBERS.filter((magic) => magic.effect === 'delivery');
    expect(delivery).toHaveLength(17);
    for (const magic of delivery) expect(magicDeliveryOutcome(magic.number)).toBe(magic.delivery);
    expect(magicDeliveryOutcome('+6590000041')).toBe('delivered');
    expect(planReports(message({ to: '+6590001007' }), 'never', 10)).toEqual([]);
  });
});
