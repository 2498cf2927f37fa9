// Cold-start cost of the handler bundles (a benchmark, not a test: prints figures).
// For every function in serverless.yml, builds its handler with the options serverless-esbuild
// uses (esbuild.config.mjs) and, as its reference, a bundle of only the AWS SDK exports that
// handler imports (found by bundling it once with the SDK external). Then times fresh Node
// processes importing each bundle, interleaved (shuffled each round) with a bare `node -e ''`, and
// reports medians: import = process time minus the bare process; ratio = handler import over
// reference import (a function without the AWS SDK has none). Also compares two ways of importing
// undici. Run: npm run bench:coldstart   (RUNS=21; BENCH_JSON=<file> appends one JSON line per
// figure: each function's import time, with its reference and ratio, and its bundle size)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildConfig } from '../esbuild.config.mjs';
import { readServerlessYml } from '../local/serverlessYml.ts';

const RUNS = Number(process.env.RUNS ?? 21);
const BENCH_JSON = process.env.BENCH_JSON;
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

/**
 * serverless.yml's functions with their handler's source file (`functions/x.handler` ->
 * functions/x.ts); one whose file does not exist yet is skipped, as `.ci/run` does.
 */
function functionEntries(): Array<[string, string]> {
  const doc = readServerlessYml() as { functions?: Record<string, { handler?: unknown } | null> };
  return Object.entries(doc.functions ?? {}).flatMap(([name, fn]): Array<[string, string]> => {
    const handler = fn?.handler;
    if (typeof handler !== 'string') throw new Error(`serverless.yml: ${name} has no handler`);
    const base = join(root, handler.slice(0, handler.lastIndexOf('.')));
    const file = ['.ts', '.mts', '.js', '.mjs'].map((ext) => base + ext).find(existsSync);
    if (!file) console.log(`skip ${name}: no source file for ${handler}`);
    return file ? [[name, file]] : [];
  });
}

async function bundle(name: string, entry: string): Promise<string> {
  const file = join(out, `${name.replace(/\W+/g, '_')}.mjs`);
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

/**
 * An entry importing exactly the AWS SDK exports `entry`'s bundle uses, or undefined if it uses
 * none: the handler bundled unminified with the SDK external, whose import statements for it are
 * kept and their bindings used, so tree shaking keeps what the handler's bundle keeps.
 */
async function sdkOnlyEntry(name: string, entry: string): Promise<string | undefined> {
  const result = await build({
    ...options,
    minify: false,
    external: [...(external as string[]), '@aws-sdk/*'],
    entryPoints: [entry],
    write: false,
    outfile: join(out, 'analysis.mjs'),
    sourcemap: false,
    logLevel: 'error',
  });
  const text = result.outputFiles[0]?.text ?? '';
  if (/\b(require|import)\(\s*["']@aws-sdk\//.test(text)) {
    throw new Error(`${name}: the AWS SDK is loaded by require() or import(), not only imported`);
  }
  const imports = [...text.matchAll(/^import\s+([^;]*?)\s+from\s+"(@aws-sdk\/[^"]+)";$/gm)];
  if (imports.length === 0) return undefined;
  const bindings = imports.flatMap(([, clause = '']) =>
    clause
      .replace(/[{}]/g, '')
      .split(',')
      .map(
        (part) =>
          part
            .trim()
            .split(/\s+as\s+/)
            .pop() ?? '',
      )
      .filter((binding) => binding !== '' && binding !== '*'),
  );
  const source = [
    ...imports.map(([statement]) => statement),
    `globalThis.sdkOnly = [${bindings.join(', ')}];`,
  ].join('\n');
  const file = join(out, `${name}.sdk-only.entry.mjs`);
  writeFileSync(file, source);
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

const round = (value: number, digits: number) => Number(value.toFixed(digits));

interface Measured {
  name: string;
  file: string;
  samples: number[];
  /** The handler's SDK-only bundle, for handlers that use the AWS SDK. */
  reference?: Measured;
}

const measured: Measured[] = [];
const add = async (name: string, entry: string): Promise<Measured> => {
  const m: Measured = { name, file: await bundle(name, entry), samples: [] };
  measured.push(m);
  return m;
};

const functions = functionEntries();
for (const [name, entry] of functions) {
  const handler = await add(name, entry);
  const sdkOnly = await sdkOnlyEntry(name, entry);
  if (sdkOnly) handler.reference = await add(`${name} SDK-only`, sdkOnly);
}
// What the design's named libraries cost before any of this service's code: sendSms's SDK-only
// entry plus undici's Agent, libphonenumber (max metadata), Powertools Logger and Metrics, middy
// and zod/mini, each used once. Its ratio bounds what any sendSms bundle that imports them at
// load time can reach.
const sendSmsSdk = measured.find((m) => m.name === 'sendSms SDK-only');
let libraries: Measured | undefined;
if (sendSmsSdk) {
  const file = join(out, 'design-libraries.entry.mjs');
  writeFileSync(
    file,
    [
      `import ${JSON.stringify(join(out, 'sendSms.sdk-only.entry.mjs'))};`,
      "import Agent from 'undici/lib/dispatcher/agent.js';",
      "import { isValidPhoneNumber } from 'libphonenumber-js/max';",
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      "import middy from '@middy/core';",
      "import * as z from 'zod/mini';",
      'globalThis.libraries = [new Agent(), isValidPhoneNumber, new Logger(), ' +
        "new Metrics({ namespace: 'x' }), middy(), z.object({ a: z.string() })];",
    ].join('\n'),
  );
  libraries = await add('sendSms SDK-only + design libraries', file);
  libraries.reference = sendSmsSdk;
}
const undiciImports: Array<[string, string]> = [
  ['undici: import { Agent } from "undici"', "import { Agent } from 'undici';"],
  ['undici: narrow lib/dispatcher/agent.js', "import Agent from 'undici/lib/dispatcher/agent.js';"],
];
for (const [name, source] of undiciImports) {
  const file = join(out, `${name.replace(/\W+/g, '_')}.entry.mjs`);
  writeFileSync(file, `${source}\nglobalThis.a = new Agent();\n`);
  await add(name, file);
}

const baseline: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const order = [undefined, ...measured].sort(() => Math.random() - 0.5);
  for (const m of order) {
    if (!m) baseline.push(time(['-e', '']));
    else
      m.samples.push(
        time(['--input-type=module', '-e', `await import(${JSON.stringify(m.file)})`]),
      );
  }
}

const base = median(baseline);
const importMs = (m: Measured) => median(m.samples) - base;
const kib = (m: Measured) => statSync(m.file).size / 1024;
console.log(
  `node ${process.version}, ${RUNS} runs each, interleaved; medians of whole-process wall time; ` +
    'import = process - bare node; ratio = handler import / its SDK-only bundle import',
);
console.log(
  `${'what'.padEnd(42)} ${'bundle'.padStart(10)} ${'process'.padStart(9)} ${'import'.padStart(9)} ${'ratio'.padStart(6)}`,
);
console.log(
  `${'node -e "" (baseline)'.padEnd(42)} ${''.padStart(10)} ${`${base.toFixed(1)} ms`.padStart(9)}`,
);
for (const m of measured) {
  const ratio = m.reference ? `${(importMs(m) / importMs(m.reference)).toFixed(2)}x` : '';
  console.log(
    `${m.name.padEnd(42)} ${`${kib(m).toFixed(0)} KiB`.padStart(10)} ${`${median(m.samples).toFixed(1)} ms`.padStart(9)} ${`${importMs(m).toFixed(1)} ms`.padStart(9)} ${ratio.padStart(6)}`,
  );
}

if (BENCH_JSON) {
  const lines = functions.flatMap(([name]) => {
    const m = measured.find((x) => x.name === name);
    if (!m) return [];
    const reference = m.reference && {
      reference: 'SDK-only bundle',
      referenceValue: round(importMs(m.reference), 1),
      ratio: round(importMs(m) / importMs(m.reference), 3),
    };
    return [
      {
        bench: 'coldstart',
        name: `${name} import`,
        value: round(importMs(m), 1),
        unit: 'ms',
        ...reference,
      },
      { bench: 'coldstart', name: `${name} bundle`, value: round(kib(m), 1), unit: 'KiB' },
    ];
  });
  if (libraries?.reference)
    lines.push({
      bench: 'coldstart',
      name: 'design libraries alone import',
      value: round(importMs(libraries), 1),
      unit: 'ms',
      reference: 'SDK-only bundle',
      referenceValue: round(importMs(libraries.reference), 1),
      ratio: round(importMs(libraries) / importMs(libraries.reference), 3),
    });
  appendFileSync(BENCH_JSON, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}
rmSync(out, { recursive: true, force: true });
