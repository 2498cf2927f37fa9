import { describe, expect, it } from 'vitest';
import type { DeliveryState } from '../../shared/delivery/state.ts';
import { messageView } from '../../shared/delivery/view.ts';
import type { MessageRecord } from '../../shared/store/types.ts';

const record: MessageRecord = {
  messageId: 'm',
  to: '+6591234567',
  templateId: 't',
  provider: 'huawei',
  providerMessageId: 'p_1',
  status: 'accepted',
  submittedAt: '2026-12-01T14:37:05.156Z',
};

const delivery = (history: DeliveryState['history']): DeliveryState => ({
  status: 'delivered',
  providerStatus: 'DELIVRD',
  total: 1,
  parts: {},
  history,
  seen: [],
  updatedAt: history.at(-1)?.at ?? '',
});

describe('messageView history', () => {
  it('is in time order, the submission first, when a report is dated to the whole second before it', () => {
    const view = messageView('m', {
      record,
      delivery: delivery([
        { status: 'accepted', providerStatus: 'ACCEPTD', at: '2026-12-01T14:37:05.000Z' },
        { status: 'delivered', providerStatus: 'DELIVRD', at: '2026-12-01T14:37:06.000Z' },
      ]),
    });
    const at = view?.history.map((entry) => entry.at) ?? [];
    expect(at).toEqual([...at].sort());
    expect(view?.history.map((entry) => entry.providerStatus ?? entry.status)).toEqual([
      'accepted',
      'ACCEPTD',
      'DELIVRD',
    ]);
    expect(view?.history[1]?.at).toBe(record.submittedAt);
    expect(view?.history[2]?.at).toBe('2026-12-01T14:37:06.000Z');
  });
});
