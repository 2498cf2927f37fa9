// DynamoDB requests and capacity of everything sent through one document client, for the cost
// model of `npm run bench` (bench/run.ts): a middleware on the client's middleware stack asks every
// call for ReturnConsumedCapacity TOTAL and adds up what DynamoDB answers.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoTally {
  /** HTTP requests, retries included. */
  requests: number;
  /** Write capacity units as the (local) DynamoDB reported them (TOTAL: table and indexes). */
  wru: number;
  /** Read capacity units as reported. */
  rru: number;
  /**
   * Write units as DynamoDB bills them: the reported ones, raised per call to the documented
   * minimum where an emulator reports less (one unit per item written; a failed conditional
   * write of a new item still consumes one).
   */
  wruBilled: number;
  /**
   * Read units as DynamoDB bills them: the reported ones, raised per call to the documented
   * minimum ("a read operation on an item that does not exist still consumes": 1 unit per key
   * strongly consistent, 0.5 eventually consistent; one such read per Query). DynamoDB Local
   * reports 0 for a BatchGetItem key that matches nothing, and both emulators 0 for an empty Query.
   */
  rruBilled: number;
  /** Calls that failed (a failed conditional write, for one). */
  failed: number;
  /** Calls per command name (`PutItem`, `BatchWriteItem`...). */
  commands: Record<string, number>;
  /** Billed units (write or read) per command name. */
  units: Record<string, number>;
}

/** A tally of nothing. */
export const emptyTally = (): DynamoTally => ({
  requests: 0,
  wru: 0,
  rru: 0,
  wruBilled: 0,
  rruBilled: 0,
  failed: 0,
  commands: {},
  units: {},
});

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

type Input = Record<string, unknown> & {
  ConsistentRead?: boolean;
  RequestItems?: Record<string, { Keys?: unknown[]; ConsistentRead?: boolean } | unknown[]>;
};
type Output = {
  ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>;
  UnprocessedKeys?: Record<string, { Keys?: unknown[] }>;
  UnprocessedItems?: Record<string, unknown[]>;
  $metadata?: { attempts?: number };
};

/** The least DynamoDB bills for a call, whatever an emulator reports. */
function minimum(command: string, input: Input, output: Output | undefined): number {
  const unit = (consistent: boolean | undefined) => (consistent ? 1 : 0.5);
  switch (command) {
    case 'GetItem':
    case 'Query':
    case 'Scan':
      return unit(input.ConsistentRead);
    case 'BatchGetItem':
      return Object.entries(input.RequestItems ?? {}).reduce((sum, [table, request]) => {
        const { Keys = [], ConsistentRead } = request as {
          Keys?: unknown[];
          ConsistentRead?: boolean;
        };
        const unprocessed = output?.UnprocessedKeys?.[table]?.Keys?.length ?? 0;
        return sum + (Keys.length - unprocessed) * unit(ConsistentRead);
      }, 0);
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems ?? {}).reduce(
        (sum, [table, requests]) =>
          sum + (requests as unknown[]).length - (output?.UnprocessedItems?.[table]?.length ?? 0),
        0,
      );
    default:
      return WRITES.has(command) ? 1 : 0;
  }
}

/** Counts every call sent through `client` from now on (the tally is updated in place). */
export function countDynamo(client: DynamoDBDocumentClient): DynamoTally {
  const tally = emptyTally();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Input;
      input.ReturnConsumedCapacity = 'TOTAL';
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      tally.commands = { ...tally.commands, [command]: (tally.commands[command] ?? 0) + 1 };
      const write = WRITES.has(command);
      try {
        const result = await next(args);
        const output = result.output as Output;
        tally.requests += output.$metadata?.attempts ?? 1;
        const reported = [output.ConsumedCapacity ?? []]
          .flat()
          .reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        const billed = Math.max(reported, minimum(command, input, output));
        tally.units = { ...tally.units, [command]: (tally.units[command] ?? 0) + billed };
        if (write) {
          tally.wru += reported;
          tally.wruBilled += billed;
        } else if (READS.has(command)) {
          tally.rru += reported;
          tally.rruBilled += billed;
        }
        return result;
      } catch (error) {
        tally.failed += 1;
        tally.requests += (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        // A failed conditional write still consumes (one unit for a new item).
        if (write && (error as { name?: string }).name === 'ConditionalCheckFailedException') {
          const billed = minimum(command, input, undefined);
          tally.wruBilled += billed;
          tally.units = { ...tally.units, [command]: (tally.units[command] ?? 0) + billed };
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCountDynamo' },
  );
  return tally;
}

/** `b` minus `a` (a tally taken earlier), divided by `per` (sends, reports...). */
export function since(a: DynamoTally, b: DynamoTally, per = 1): DynamoTally {
  const difference = (x: Record<string, number>, y: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [name, count] of Object.entries(y))
      if (count !== x[name]) out[name] = (count - (x[name] ?? 0)) / per;
    return out;
  };
  return {
    requests: (b.requests - a.requests) / per,
    wru: (b.wru - a.wru) / per,
    rru: (b.rru - a.rru) / per,
    wruBilled: (b.wruBilled - a.wruBilled) / per,
    rruBilled: (b.rruBilled - a.rruBilled) / per,
    failed: b.failed - a.failed,
    commands: difference(a.commands, b.commands),
    units: difference(a.units, b.units),
  };
}

/** The sum of two tallies (of separate calls). */
export function addTallies(a: DynamoTally, b: DynamoTally): DynamoTally {
  const sum = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [name, count] of Object.entries(y)) out[name] = (out[name] ?? 0) + count;
    return out;
  };
  return {
    requests: a.requests + b.requests,
    wru: a.wru + b.wru,
    rru: a.rru + b.rru,
    wruBilled: a.wruBilled + b.wruBilled,
    rruBilled: a.rruBilled + b.rruBilled,
    failed: a.failed + b.failed,
    commands: sum(a.commands, b.commands),
    units: sum(a.units, b.units),
  };
}

/** Every count of a tally times `factor` (an average over rounds: 1 / rounds). */
export function scaleTally(t: DynamoTally, factor: number): DynamoTally {
  const scale = (x: Record<string, number>) =>
    Object.fromEntries(Object.entries(x).map(([name, n]) => [name, n * factor]));
  return {
    requests: t.requests * factor,
    wru: t.wru * factor,
    rru: t.rru * factor,
    wruBilled: t.wruBilled * factor,
    rruBilled: t.rruBilled * factor,
    failed: t.failed,
    commands: scale(t.commands),
    units: scale(t.units),
  };
}

/** A copy to take differences from later. */
export const snapshot = (tally: DynamoTally): DynamoTally => ({
  ...tally,
  commands: { ...tally.commands },
  units: { ...tally.units },
});

/** One line: requests by command, billed units (and what the emulator reported when it differs). */
export function describeTally(t: DynamoTally): string {
  const commands = Object.entries(t.commands).map(([name, n]) => `${round(n)} ${name}`);
  const reported =
    t.wru !== t.wruBilled || t.rru !== t.rruBilled
      ? ` (reported ${round(t.wru)} WRU, ${round(t.rru)} RRU)`
      : '';
  return `${round(t.requests)} requests (${commands.join(', ') || 'none'}), ${round(t.wruBilled)} WRU, ${round(t.rruBilled)} RRU billed${reported}${t.failed ? `, ${t.failed} failed` : ''}`;
}

const round = (n: number) => Number(n.toFixed(3));

/** Three BENCH_JSON figures of a tally: requests, billed write units, billed read units. */
export function tallyFigures(
  per: string,
  what: string,
  t: DynamoTally,
): Array<Record<string, unknown>> {
  const unitsOf = (commands: Set<string>) =>
    Object.fromEntries(Object.entries(t.units).filter(([name]) => commands.has(name)));
  return [
    {
      name: `DynamoDB requests per ${what}`,
      value: t.requests,
      unit: `requests/${per}`,
      extra: { commands: t.commands, failed: t.failed },
    },
    {
      name: `DynamoDB write units per ${what}`,
      value: t.wruBilled,
      unit: `WRU/${per}`,
      extra: { reported: t.wru, byCommand: unitsOf(WRITES) },
    },
    {
      name: `DynamoDB read units per ${what}`,
      value: t.rruBilled,
      unit: `RRU/${per}`,
      extra: { reported: t.rru, byCommand: unitsOf(READS) },
    },
  ];
}
