/**
 * Runs in every test worker before its test file (vitest `setupFiles`): records each line the
 * service logs (Powertools JSON on stdout and stderr) to this worker's file under the directory
 * `logScan.global.ts` provides, for the scan at the end of the run. Everything still reaches the
 * terminal, except service lines while a test has muted them (`muteServiceLogs`).
 */
import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, inject } from 'vitest';
import { isServiceLine, LOG_SCAN_DIR, type RecordedLine, workerState } from '../helpers/logScan.ts';

const WRAPPED = Symbol.for('sms-relay.test.logScan.wrapped');

function currentTest(): string {
  try {
    const { testPath, currentTestName } = expect.getState();
    const file = testPath ? relative(process.cwd(), testPath) : '';
    return [file, currentTestName].filter(Boolean).join(' > ');
  } catch {
    return '';
  }
}

function wrap(stream: NodeJS.WriteStream, name: RecordedLine['stream'], file: string): void {
  const marked = stream as NodeJS.WriteStream & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return;
  marked[WRAPPED] = true;
  const state = workerState();
  const write = stream.write;
  stream.write = function scanned(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : '';
    let service = false;
    if (text.includes('{"level":') || text.includes('{"_aws":')) {
      const test = currentTest();
      for (const line of text.split('\n')) {
        if (!isServiceLine(line)) continue;
        service = true;
        state.recorded += 1;
        const record: RecordedLine = { test, stream: name, line };
        appendFileSync(file, `${JSON.stringify(record)}\n`);
      }
    }
    if (service && state.muted) {
      // Keep write's contract: the callback (last function argument) still runs.
      const callback = rest.findLast((arg) => typeof arg === 'function') as
        | ((error?: Error | null) => void)
        | undefined;
      if (callback) process.nextTick(callback);
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as NodeJS.WriteStream['write'];
}

const dir = inject(LOG_SCAN_DIR);
if (dir) {
  const file = join(
    dir,
    `worker-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`,
  );
  wrap(process.stdout, 'stdout', file);
  wrap(process.stderr, 'stderr', file);
}
