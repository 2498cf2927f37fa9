import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = join(ROOT, 'shared');
/** Provider folders: only `deps/` (the wiring) may import them. */
const PROVIDER_FOLDERS = ['huawei', 'alibaba'];
/** The provider-neutral parts of the service. */
const NEUTRAL = [
  'core',
  'store',
  'delivery',
  'batch',
  'ports',
  'routing',
  'templates',
  'schemas',
  'http',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import (static, dynamic, type-only and re-exports) of a file, resolved. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)];
  return specifiers.map((m) => resolve(dirname(file), m[1] as string));
}

const folderOf = (path: string) => relative(SHARED, path).split('/')[0] ?? '';

describe('the import graph', () => {
  it.each(NEUTRAL)('shared/%s imports nothing from a provider folder', (folder) => {
    const offending = files(join(SHARED, folder)).flatMap((file) =>
      imports(file)
        .filter(
          (target) => target.startsWith(SHARED) && PROVIDER_FOLDERS.includes(folderOf(target)),
        )
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(offending).toEqual([]);
  });

  it('the handlers reach providers only through shared/deps', () => {
    const offending = files(join(ROOT, 'functions')).flatMap((file) =>
      imports(file)
        .filter((target) => PROVIDER_FOLDERS.includes(folderOf(target)))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(offending).toEqual([]);
  });

  it('a provider folder never imports another provider, the core or the store', () => {
    const offending = PROVIDER_FOLDERS.flatMap((folder) => {
      let list: string[] = [];
      try {
        list = files(join(SHARED, folder));
      } catch {
        return [];
      }
      return list.flatMap((file) =>
        imports(file)
          .filter((target) => {
            const to = folderOf(target);
            return (
              target.startsWith(SHARED) &&
              to !== folder &&
              [...PROVIDER_FOLDERS, 'core', 'store', 'deps'].includes(to)
            );
          })
          .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
      );
    });
    expect(offending).toEqual([]);
  });

  it('the scanner sees imports (a test that can fail)', () => {
    expect(imports(join(SHARED, 'deps', 'senders.ts')).map((t) => folderOf(t))).toContain('deps');
    expect(files(join(SHARED, 'huawei')).some((f) => imports(f).length > 0)).toBe(true);
  });
});
