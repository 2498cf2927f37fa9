import { describe, expect, it } from 'vitest';
import { StoreError } from '../../shared/errors.ts';
import { untilProcessed } from '../../shared/store/unprocessed.ts';

const noSleep = async () => {};

describe('untilProcessed', () => {
  it('resends only what was left, until nothing is', async () => {
    const sent: number[][] = [];
    await untilProcessed(
      [1, 2, 3, 4],
      async (pending) => {
        sent.push(pending);
        return pending.slice(2);
      },
      'records',
      noSleep,
    );
    expect(sent).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
  });

  it('waits between tries, and gives up after 8 with a StoreError naming what stayed', async () => {
    const waits: number[] = [];
    let tries = 0;
    const failing = untilProcessed(
      ['a', 'b'],
      async (pending) => {
        tries += 1;
        return pending;
      },
      'reads',
      async (ms) => {
        waits.push(ms);
      },
    );
    await expect(failing).rejects.toThrow(StoreError);
    await expect(failing).rejects.toThrow('2 reads stayed unprocessed');
    expect(tries).toBe(8);
    expect(waits).toHaveLength(7);
    expect(waits.every((ms) => ms >= 0 && ms <= 1_000)).toBe(true);
  });

  it('sends nothing for nothing', async () => {
    let tries = 0;
    await untilProcessed(
      [],
      async () => {
        tries += 1;
        return [];
      },
      'records',
      noSleep,
    );
    expect(tries).toBe(0);
  });
});
