import { describe, expect, it } from 'vitest';
import { alibabaTemplateSchema } from '../../shared/alibaba/templates.ts';
import { huaweiTemplateSchema } from '../../shared/huawei/template.ts';
import { TEMPLATES, templatesFor } from '../../shared/templates/registry.ts';

/** Each provider's schema for its slice of a registry entry. */
const SCHEMAS: Record<string, { safeParse(input: unknown): { success: boolean } }> = {
  huawei: huaweiTemplateSchema,
  alibaba: alibabaTemplateSchema,
};
const KNOWN_KEYS = new Set(['description', ...Object.keys(SCHEMAS)]);

describe('the template registry (shared/templates/registry.json)', () => {
  it.each(Object.entries(TEMPLATES))('%s is valid for every provider it names', (name, entry) => {
    expect(name).toMatch(/^[\x21-\x7e]{1,32}$/); // a valid templateId in a request
    for (const [key, slice] of Object.entries(entry)) {
      expect(KNOWN_KEYS.has(key), `unknown key ${key}`).toBe(true);
      if (key !== 'description')
        expect(SCHEMAS[key]?.safeParse(slice).success, `${name}.${key}`).toBe(true);
    }
  });

  it('maps demo-otp for every provider, so the local stack can send it anywhere', () => {
    expect(Object.keys(TEMPLATES['demo-otp'] ?? {}).sort()).toEqual(
      expect.arrayContaining(Object.keys(SCHEMAS)),
    );
  });

  it('gives a provider its own slice only, and says whether the name is known at all', () => {
    expect(templatesFor('huawei')('demo-otp')).toEqual({
      known: true,
      slice: TEMPLATES['demo-otp']?.huawei,
    });
    expect(templatesFor('huawei')('8ff55eac1d0b478ab3c06c3c6a492300')).toEqual({
      known: false,
      slice: undefined,
    });
    expect(templatesFor('nobody')('demo-otp')).toEqual({ known: true, slice: undefined });
    // Object prototype names are not templates.
    expect(templatesFor('huawei')('constructor').known).toBe(false);
  });
});
