import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SANDBOX = join(ROOT, 'sandbox');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import (static, dynamic, type-only, re-exports) of a file, as repo paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)].map((m) =>
    relative(ROOT, resolve(dirname(file), m[1] as string)),
  );
}

/** `file -> target` for each import of a file under `folder` that starts with one of `banned`. */
function offending(folder: string, banned: string[]): string[] {
  return files(join(SANDBOX, folder)).flatMap((file) =>
    imports(file)
      .filter((target) => banned.some((prefix) => target.startsWith(prefix)))
      .map((target) => `${relative(ROOT, file)} -> ${target}`),
  );
}

describe('the sandbox layout', () => {
  it("never imports the relay's Alibaba module: the two ACS3 implementations check each other", () => {
    expect(offending('.', ['shared/alibaba/'])).toEqual([]);
  });

  it('keeps the shared plumbing provider-neutral', () => {
    expect(offending('common', ['sandbox/huawei/', 'sandbox/alibaba/', 'shared/huawei/'])).toEqual(
      [],
    );
  });

  it('keeps each provider to its own folder', () => {
    expect(offending('alibaba', ['sandbox/huawei/', 'shared/huawei/'])).toEqual([]);
    expect(offending('huawei', ['sandbox/alibaba/'])).toEqual([]);
  });
});
