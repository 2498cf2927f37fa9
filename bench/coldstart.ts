// Cold-start cost of the handler bundles (a benchmark, not a test: prints figures).
// Builds each handler with the same esbuild options serverless-esbuild uses (esbuild.config.mjs),
// then times fresh Node processes importing it, interleaved with a bare `node -e ''`, and reports
// medians. Also compares ways of importing undici. Run: npm run bench:coldstart
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildConfig } from '../esbuild.config.mjs';

const RUNS = Number(process.env.RUNS ?? 21);
const root = resolve(import.meta.dirname, '..');
// Inside the project so bare imports resolve from its node_modules (`.tmp*/` is git-ignored).
const out = mkdtempSync(join(root, '.tmp-coldstart-'));
const {
  exclude: _e,
  external,
  packager: _p,
  outputFileExtension: _o,
  ...options
} = esbuildConfig(undefined) as Record<string, unknown>;

async function bundle(name: string, entry: string): Promise<string> {
  const file = join(out, `${name}.mjs`);
  await build({
    ...options,
    external: external as string[],
    entryPoints: [entry],
    outfile: file,
    sourcemap: false,
    logLevel: 'error',
  });
  return file;
}

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, {
    stdio: 'ignore',
    env: { ...process.env, SMS_SECRET_ID: 'bench' },
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const variants: Array<[string, string]> = [];
const entry = (name: string, source: string) => {
  const file = join(out, `${name.replace(/\W+/g, '_')}.entry.mjs`);
  writeFileSync(file, source);
  variants.push([name, file]);
};
for (const name of ['sendSms', 'sendBatch', 'statusCallback', 'getMessage']) {
  variants.push([`${name} handler`, join(root, `functions/${name}.ts`)]);
}
entry(
  'undici: import { Agent } from "undici"',
  "import { Agent } from 'undici'; globalThis.a = new Agent();",
);
entry(
  'undici: narrow lib/dispatcher/agent.js',
  "import Agent from 'undici/lib/dispatcher/agent.js'; globalThis.a = new Agent();",
);

const bundles: Array<[string, string]> = [];
for (const [name, file] of variants)
  bundles.push([name, await bundle(name.replace(/\W+/g, '_'), file)]);

const samples = new Map<string, number[]>([['node -e "" (baseline)', []]]);
for (const [name] of bundles) samples.set(name, []);
for (let i = 0; i < RUNS; i++) {
  samples.get('node -e "" (baseline)')?.push(time(['-e', '']));
  for (const [name, file] of bundles)
    samples
      .get(name)
      ?.push(time(['--input-type=module', '-e', `await import(${JSON.stringify(file)})`]));
}

const baseline = median(samples.get('node -e "" (baseline)') ?? []);
console.log(
  `node ${process.version}, ${RUNS} runs each, interleaved; medians of whole-process wall time`,
);
console.log(
  `${'what'.padEnd(42)} ${'bundle'.padStart(10)} ${'process'.padStart(9)} ${'import'.padStart(8)}`,
);
console.log(
  `${'node -e "" (baseline)'.padEnd(42)} ${''.padStart(10)} ${`${baseline.toFixed(1)} ms`.padStart(9)}`,
);
for (const [name, file] of bundles) {
  const m = median(samples.get(name) ?? []);
  const kib = `${(statSync(file).size / 1024).toFixed(0)} KiB`;
  console.log(
    `${name.padEnd(42)} ${kib.padStart(10)} ${`${m.toFixed(1)} ms`.padStart(9)} ${`+${(m - baseline).toFixed(1)} ms`.padStart(8)}`,
  );
}
rmSync(out, { recursive: true, force: true });
