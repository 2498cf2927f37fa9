import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './serverlessYml.ts';

/**
 * `.sms-relay-local.json` (git-ignored): what `npm start` printed, for `npm run demo` and other
 * tools. Written once the stack is ready, removed when it stops. `SMS_RELAY_STATE_FILE` moves it
 * (the end-to-end test uses its own, so a stack a developer is running keeps its file).
 */
export interface LocalStackState {
  apiBaseUrl: string;
  apiKey: string;
  statusCallbackUrl: string;
  /** Where Alibaba (or its sandbox) pushes receipts. */
  alibabaReceiptUrl?: string;
  /** The `node local/start.ts` process. */
  pid: number;
  startedAt: string;
}

export function stateFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SMS_RELAY_STATE_FILE || join(repoRoot, '.sms-relay-local.json');
}

export function writeState(path: string, state: LocalStackState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path); // readers never see half a file
}

/** The state in `path`, or undefined when there is none (or it is not ours to understand). */
export function readState(path: string): LocalStackState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as Partial<LocalStackState>;
    if (typeof state.apiBaseUrl !== 'string' || typeof state.apiKey !== 'string') return undefined;
    return state as LocalStackState;
  } catch {
    return undefined;
  }
}

/** Removes the file if it is still the one process `pid` wrote (another stack may have replaced it). */
export function removeState(path: string, pid: number): void {
  if (readState(path)?.pid !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
