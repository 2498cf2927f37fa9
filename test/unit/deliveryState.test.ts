import { describe, expect, it } from 'vitest';
import {
  applyReport,
  type DeliveryReport,
  type DeliveryState,
  partsSummary,
} from '../../shared/delivery/state.ts';
import { statusFromHuawei } from '../../shared/huawei/status.ts';

const report = (providerStatus: string, extra: Partial<DeliveryReport> = {}): DeliveryReport => ({
  provider: 'huawei',
  providerMessageId: 'm1',
  trackingId: 'm1',
  providerStatus,
  status: statusFromHuawei(providerStatus),
  total: 1,
  sequence: 1,
  updatedAt: '2026-11-22T10:00:00.000Z',
  ...extra,
});

/** Applies reports in arrival order, as the store would. */
function run(...reports: DeliveryReport[]): { state: DeliveryState; changes: boolean[] } {
  let state: DeliveryState | undefined;
  const changes: boolean[] = [];
  reports.forEach((r, i) => {
    const result = applyReport(state, r, `2026-11-22T10:00:0${i}.500Z`);
    state = result.state;
    changes.push(result.changed);
  });
  if (!state) throw new Error('no reports');
  return { state, changes };
}

describe('delivery state', () => {
  it('maps Huawei statuses: DELIVRD is the only success', () => {
    expect(
      ['DELIVRD', 'EXPIRED', 'ACCEPTD', 'UNKNOWN', 'UNDELIV', 'REJECTD', 'BLACK', 'E200028'].map(
        statusFromHuawei,
      ),
    ).toEqual([
      'delivered',
      'expired',
      'accepted',
      'accepted',
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
  });

  it('delivers a one-part message and records its history', () => {
    const { state } = run(report('DELIVRD'));
    expect(state).toMatchObject({ status: 'delivered', providerStatus: 'DELIVRD', total: 1 });
    expect(state.history).toEqual([
      { status: 'delivered', providerStatus: 'DELIVRD', at: '2026-11-22T10:00:00.000Z' },
    ]);
    expect(partsSummary(state)).toEqual({ total: 1, delivered: 1 });
  });

  it('changes nothing for a duplicate', () => {
    const { state, changes } = run(report('DELIVRD'), report('DELIVRD'));
    expect(changes).toEqual([true, false]);
    expect(state.history).toHaveLength(1);
  });

  it('never lets a late non-terminal report replace a terminal one', () => {
    const { state } = run(
      report('DELIVRD'),
      report('ACCEPTD', { updatedAt: '2026-11-22T09:59:00.000Z' }),
    );
    expect(state.status).toBe('delivered');
    expect(state.providerStatus).toBe('DELIVRD');
    // The late report is history, placed by its own time.
    expect(state.history.map((h) => h.providerStatus)).toEqual(['ACCEPTD', 'DELIVRD']);
  });

  it('moves from in flight to terminal', () => {
    const { state } = run(
      report('ACCEPTD', { updatedAt: '2026-11-22T09:59:00.000Z' }),
      report('UNDELIV', { statusDesc: 'absent subscriber' }),
    );
    expect(state).toMatchObject({ status: 'failed', providerStatus: 'UNDELIV' });
    expect(state.history[1]).toMatchObject({ description: 'absent subscriber' });
  });

  it('delivers a two-part message only when every part is delivered, in any order', () => {
    const first = run(report('DELIVRD', { total: 2, sequence: 2 }));
    expect(first.state.status).toBe('accepted');
    expect(partsSummary(first.state)).toEqual({ total: 2, delivered: 1 });
    const both = run(
      report('DELIVRD', { total: 2, sequence: 2 }),
      report('DELIVRD', { total: 2, sequence: 1 }),
    );
    expect(both.state.status).toBe('delivered');
    expect(partsSummary(both.state)).toEqual({ total: 2, delivered: 2 });
    expect(both.state.history.map((h) => h.part)).toEqual([2, 1]);
  });

  it('fails a two-part message when one part fails, whatever arrives after', () => {
    const { state } = run(
      report('UNDELIV', { total: 2, sequence: 2 }),
      report('DELIVRD', { total: 2, sequence: 1 }),
    );
    expect(state).toMatchObject({ status: 'failed', providerStatus: 'UNDELIV' });
  });

  it('keeps a terminal message status even if a later report claims more parts', () => {
    const { state } = run(report('DELIVRD'), report('ACCEPTD', { total: 2, sequence: 2 }));
    expect(state.status).toBe('delivered');
  });

  it('keeps the first terminal status of a part when a contradicting one arrives', () => {
    const { state } = run(
      report('DELIVRD'),
      report('EXPIRED', { updatedAt: '2026-11-25T10:00:00.000Z' }),
    );
    expect(state.status).toBe('delivered');
    expect(state.history).toHaveLength(2);
  });
});
