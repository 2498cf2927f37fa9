/**
 * The log scan (issue 11): what the code under test logs must never carry a whole phone number, a
 * secret or a token. `test/setup/logScan.worker.ts` records every line the service logs (its
 * Powertools JSON lines) in every worker; `test/setup/logScan.global.ts` scans them all when the
 * run ends and fails it on any finding. This module holds what both need, and is pure apart from
 * `collectSecrets` (which reads the test sources) so `test/unit/logScan.test.ts` can check it.
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
} from '../../sandbox/alibaba/credentials.ts';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET } from '../../sandbox/huawei/apps.ts';

/** The name under which `globalSetup` provides the directory the workers write to. */
export const LOG_SCAN_DIR = 'logScanDir';

declare module 'vitest' {
  export interface ProvidedContext {
    logScanDir: string;
  }
}

/** A line the service printed: Powertools JSON of the `sms-relay` logger, or its metrics (EMF). */
export function isServiceLine(line: string): boolean {
  return (
    (line.startsWith('{"level":') || line.startsWith('{"_aws":')) &&
    line.includes('"service":"sms-relay"')
  );
}

/** What one worker records per service line. */
export interface RecordedLine {
  /** The test file and test that were running (`expect.getState()`), when known. */
  test: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** Shared between a worker's setup module and the tests in it (modules may be reset, this may not). */
interface WorkerState {
  /** Service lines are still recorded but not passed through (fuzz tests log thousands). */
  muted: boolean;
  recorded: number;
}

const STATE = Symbol.for('sms-relay.test.logScan');

export function workerState(): WorkerState {
  const holder = globalThis as { [STATE]?: WorkerState };
  holder[STATE] ??= { muted: false, recorded: 0 };
  return holder[STATE];
}

/**
 * Keeps the service's log lines off the terminal (they are still recorded and scanned) until the
 * returned function is called. For tests that log thousands of lines on purpose.
 */
export function muteServiceLogs(): () => void {
  const state = workerState();
  const before = state.muted;
  state.muted = true;
  return () => {
    state.muted = before;
  };
}

/** How many service lines this worker has recorded so far. */
export function recordedServiceLines(): number {
  return workerState().recorded;
}

/** One thing that must not be in a log line. */
export interface Finding {
  kind: 'phone number' | 'secret' | 'token' | 'credential field' | 'signature';
  /** What matched, shortened. */
  match: string;
  /** Where in the line it starts (-1 for a credential field). */
  at: number;
}

/**
 * Fixed example numbers in messages of the code itself (validation messages say what a number
 * looks like): no one's number, cut out before the scan.
 */
const EXAMPLE_PHRASES = ['E.164 number like +6591234567'];

/**
 * A whole E.164 number: `+` (plain, percent-encoded or a JSON escape) and 8-15 digits that do not
 * run on. The code masks as `+65****4567`, which this never matches.
 */
const WHOLE_NUMBER = /(?:\+|%2[bB]|\\u002[bB])\d{8,15}(?!\d)/g;
/** A token in a URL's query (`?token=…`, `&token=…`), whatever its value. */
const TOKEN_QUERY = /[?&](?:amp;)?token=(?!&|"|\s|$)[^&"\s]+/gi;
/** Signed request headers: Huawei AK/SK and WSSE, Alibaba ACS3. */
const SIGNATURES = [
  /SDK-HMAC-SHA256\s+Access=/,
  /ACS3-HMAC-SHA256\s+Credential=/,
  /PasswordDigest="?[A-Za-z0-9+/=]{8,}/,
  /Signature=[0-9a-fA-F]{32,}/,
];
/** Fields whose value is a credential, whatever it is (lower case, `-` and `_` removed). */
const CREDENTIAL_FIELDS = new Set([
  'appsecret',
  'accesskeysecret',
  'secret',
  'secretkey',
  'password',
  'token',
  'receipttoken',
  'callbacktoken',
  'authorization',
  'xapikey',
  'apikey',
  'pushkeys',
]);

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function credentialFields(value: unknown, found: Finding[], depth = 0): void {
  if (depth > 64 || typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const name = key.toLowerCase().replace(/[-_]/g, '');
    const present =
      (typeof inner === 'string' && inner !== '') ||
      (typeof inner === 'object' && inner !== null && Object.keys(inner).length > 0);
    if (CREDENTIAL_FIELDS.has(name) && present) {
      found.push({
        kind: 'credential field',
        match: short(`${key}: ${JSON.stringify(inner)}`),
        at: -1,
      });
    } else {
      credentialFields(inner, found, depth + 1);
    }
  }
}

/** Everything in one log line that must not be there. */
export function findLeaks(line: string, secrets: readonly string[]): Finding[] {
  const found: Finding[] = [];
  let text = line;
  // Same length, so positions still point into the line.
  for (const phrase of EXAMPLE_PHRASES) text = text.replaceAll(phrase, '#'.repeat(phrase.length));
  for (const m of text.matchAll(WHOLE_NUMBER))
    found.push({ kind: 'phone number', match: m[0], at: m.index });
  for (const m of text.matchAll(TOKEN_QUERY))
    found.push({ kind: 'token', match: short(m[0]), at: m.index });
  for (const pattern of SIGNATURES) {
    const m = pattern.exec(text);
    if (m) found.push({ kind: 'signature', match: short(m[0]), at: m.index });
  }
  for (const secret of secrets) {
    const at = text.indexOf(secret);
    if (at >= 0) found.push({ kind: 'secret', match: short(secret), at });
  }
  try {
    credentialFields(JSON.parse(line), found);
  } catch {
    // not JSON after all: the patterns above still apply
  }
  return found;
}

/** The status-callback token derived from an `appSecret` (`callbackToken` in the code). */
function derivedCallbackToken(appSecret: string): string {
  return createHmac('sha256', appSecret).update('sms-relay/status-callback/v1').digest('base64url');
}

/** Credentials of the sandboxes and the test suite's own secrets, as literals. */
const KNOWN_SECRETS = [
  LOCAL_APP_SECRET,
  SANDBOX_ACCESS_KEY_SECRET,
  // Access key ids are not secret on their own, but no log line has a reason to carry them.
  LOCAL_APP_KEY,
  SANDBOX_ACCESS_KEY_ID,
];

/**
 * Quoted literals assigned to a credential in source text: `appSecret: '…'`, `RECEIPT_TOKEN = '…'`,
 * `"accessKeySecret": "…"`, `{ ak: '…', sk: '…' }`. Short ones (`'s'`, `'x'`) are left out: they
 * would match ordinary words.
 */
const SECRET_LITERALS = [
  /\b(?:appSecret|accessKeySecret|AccessKeySecret|receiptToken|callbackToken|secretKey|[A-Z][A-Z_]*(?:TOKEN|SECRET|_SK))\b["']?\s*[:=]\s*["'`]([^"'`\s]{8,})["'`]/g,
  /\bak["']?\s*:\s*["'][^"']+["']\s*,\s*["']?sk["']?\s*:\s*["']([^"'\s]{8,})["']/g,
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|json)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every known secret: the sandboxes', those the tests and the local stack use, derived tokens. */
export function collectSecrets(root: string): string[] {
  const secrets = new Set(KNOWN_SECRETS);
  for (const dir of ['test', 'local', 'bench']) {
    for (const file of sourceFiles(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of SECRET_LITERALS) {
        for (const m of text.matchAll(pattern)) if (m[1]) secrets.add(m[1]);
      }
    }
  }
  for (const secret of [...secrets]) secrets.add(derivedCallbackToken(secret));
  return [...secrets];
}
