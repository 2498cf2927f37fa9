import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoOptOutStore } from '../../shared/store/optOuts.ts';

const TABLE = 'opt-out-unit';
type Key = { pk: string; sk: string };

/**
 * A client that answers BatchGetItem from `optedOut`, leaving the last `unprocessed(call)` keys
 * of each call unprocessed; records every request's keys.
 */
function fakeClient(optedOut: Set<string>, unprocessed: (call: number) => number = () => 0) {
  const requests: Key[][] = [];
  const client = {
    async send(command: unknown) {
      if (!(command instanceof BatchGetCommand)) throw new Error('unexpected command');
      const request = command.input.RequestItems?.[TABLE];
      const keys = (request?.Keys ?? []) as Key[];
      expect(request?.ConsistentRead).toBe(true);
      requests.push(keys);
      const left = Math.min(unprocessed(requests.length), keys.length);
      const done = keys.slice(0, keys.length - left);
      return {
        Responses: {
          [TABLE]: done
            .map((key) => key.pk.replace('OPTOUT#', ''))
            .filter((number) => optedOut.has(number))
            .map((number) => ({ number })),
        },
        UnprocessedKeys: left > 0 ? { [TABLE]: { Keys: keys.slice(keys.length - left) } } : {},
      };
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, requests };
}

const numbers = (count: number) =>
  Array.from({ length: count }, (_, i) => `+6591${String(i).padStart(6, '0')}`);

describe('optedOut', () => {
  it('reads up to 100 numbers in one request', async () => {
    const { client, requests } = fakeClient(new Set(['+6591000007']));
    const store = createDynamoOptOutStore({ client, tableName: TABLE });
    expect(await store.optedOut(numbers(100))).toEqual(new Set(['+6591000007']));
    expect(requests).toHaveLength(1);
    expect(requests[0]?.[0]).toEqual({ pk: 'OPTOUT#+6591000000', sk: 'OPTOUT' });
  });

  it('reads 250 numbers in three requests of at most 100', async () => {
    const all = numbers(250);
    const { client, requests } = fakeClient(new Set([all[0], all[149], all[249]] as string[]));
    const store = createDynamoOptOutStore({ client, tableName: TABLE });
    expect((await store.optedOut(all)).size).toBe(3);
    expect(requests.map((keys) => keys.length)).toEqual([100, 100, 50]);
  });

  it('asks for a number given twice once (BatchGetItem refuses duplicate keys)', async () => {
    const { client, requests } = fakeClient(new Set(['+6591000000']));
    const store = createDynamoOptOutStore({ client, tableName: TABLE });
    const one = '+6591000000';
    expect(await store.optedOut([one, one, one])).toEqual(new Set([one]));
    expect(requests[0]).toHaveLength(1);
  });

  it('makes no request for no numbers', async () => {
    const { client, requests } = fakeClient(new Set());
    const store = createDynamoOptOutStore({ client, tableName: TABLE });
    expect(await store.optedOut([])).toEqual(new Set());
    expect(requests).toEqual([]);
  });

  it('retries unprocessed keys until every number is answered', async () => {
    const all = numbers(10);
    const { client, requests } = fakeClient(new Set(all), (call) => (call < 3 ? 4 : 0));
    const store = createDynamoOptOutStore({ client, tableName: TABLE, sleep: async () => {} });
    expect(await store.optedOut(all)).toEqual(new Set(all));
    expect(requests.map((keys) => keys.length)).toEqual([10, 4, 4]);
  });

  it('fails with store_unavailable when keys stay unprocessed', async () => {
    const { client } = fakeClient(new Set(), () => 1);
    const store = createDynamoOptOutStore({ client, tableName: TABLE, sleep: async () => {} });
    await expect(store.optedOut(numbers(3))).rejects.toMatchObject({
      code: 'store_unavailable',
      message: '1 opt-out reads stayed unprocessed',
    });
  });

  it('turns a DynamoDB failure into store_unavailable, naming only its kind', async () => {
    const failure = Object.assign(new Error('throttled'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const client = {
      send: async () => {
        throw failure;
      },
    } as unknown as DynamoDBDocumentClient;
    const store = createDynamoOptOutStore({ client, tableName: TABLE });
    const error = await store.optedOut(['+6591234567']).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'store_unavailable',
      message: 'reading opt-outs failed (ProvisionedThroughputExceededException)',
      cause: failure,
    });
    await expect(store.get('+6591234567')).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(
      store.put('+6591234567', { since: '2026-11-22T10:00:00.000Z', source: 'api' }),
    ).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.remove('+6591234567')).rejects.toMatchObject({
      code: 'store_unavailable',
    });
  });
});
