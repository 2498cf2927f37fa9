/**
 * vitest `globalSetup` of the log scan (issue 11): gives the workers a fresh directory to record
 * the service's log lines in (`logScan.worker.ts`) and, when the run ends, scans every line for a
 * whole phone number, a known secret, a token or a credential field. Any finding fails the run
 * (the teardown throws: vitest reports it and exits non-zero), naming the test that logged it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  collectSecrets,
  type Finding,
  findLeaks,
  LOG_SCAN_DIR,
  type RecordedLine,
} from '../helpers/logScan.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAX_REPORTED = 25;

/** The line's message and the part around what was found. */
function excerpt(line: string, at: number): string {
  const message = /"message":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '';
  const from = Math.max(0, at - 150);
  const around = at < 0 ? line.slice(-300) : line.slice(from, at + 150);
  return `"${message}": ${from > 0 || at < 0 ? '...' : ''}${around}...`;
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'sms-relay-log-scan-'));
  project.provide(LOG_SCAN_DIR, dir);
  return () => {
    const secrets = collectSecrets(ROOT);
    const findings: Array<{ test: string; finding: Finding; line: string }> = [];
    let lines = 0;
    let files = 0;
    for (const name of readdirSync(dir)) {
      files += 1;
      for (const raw of readFileSync(join(dir, name), 'utf8').split('\n')) {
        if (raw === '') continue;
        const record = JSON.parse(raw) as RecordedLine;
        lines += 1;
        for (const finding of findLeaks(record.line, secrets))
          findings.push({ test: record.test, finding, line: record.line });
      }
    }
    rmSync(dir, { recursive: true, force: true });
    if (findings.length === 0) {
      console.log(
        `log scan: ${lines} service log lines from ${files} test files, no phone number, secret or token`,
      );
      return;
    }
    const shown = findings
      .slice(0, MAX_REPORTED)
      .map(
        ({ test, finding, line }) =>
          `- ${finding.kind} ${finding.match} in a line logged by ${test || '(unknown test)'}:\n    ${excerpt(line, finding.at)}`,
      );
    throw new Error(
      `log scan: ${findings.length} finding(s) in ${lines} service log lines:\n${shown.join('\n')}${
        findings.length > MAX_REPORTED ? `\n(and ${findings.length - MAX_REPORTED} more)` : ''
      }`,
    );
  };
}
