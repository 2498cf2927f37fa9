import * as z from 'zod/mini';

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * What JSON Schema is told about a zod rule it cannot state itself (a transform, a refinement
 * without a fixed message), for the schema at one path of the output (`properties.to`): it
 * returns the schema to put there.
 */
export type Note = (schema: JsonSchema) => JsonSchema;

/** The message of a refinement when it is fixed text (`z.refine(fn, 'must not be empty')`). */
function fixedMessage(check: z.core.$ZodCheck): string | undefined {
  const error = (check._zod.def as { error?: unknown }).error;
  if (typeof error !== 'function') return undefined;
  try {
    const message: unknown = error({});
    return typeof message === 'string' && message !== '' ? message : undefined;
  } catch {
    return undefined;
  }
}

type Override = (ctx: {
  zodSchema: z.core.$ZodTypes;
  jsonSchema: JsonSchema;
  path: (string | number)[];
}) => void;

/**
 * The `override` of `z.toJSONSchema`: a refinement with a fixed message becomes a line of the
 * schema's `description`; the paths of rules JSON Schema cannot state at all (a transform read
 * on its input side, a `superRefine`) are collected in `unstated`.
 */
function explainRules(io: 'input' | 'output', unstated: Set<string>): Override {
  return ({ zodSchema, jsonSchema, path }) => {
    const def = zodSchema._zod.def as { type: string; in?: z.core.$ZodType; checks?: unknown };
    const key = path.join('.');
    if (io === 'input' && def.type === 'pipe' && def.in?._zod.def.type === 'transform') {
      unstated.add(key);
    }
    const checks = (Array.isArray(def.checks) ? def.checks : []) as z.core.$ZodCheck[];
    const rules: string[] = [];
    for (const check of checks) {
      if ((check._zod.def as { check: string }).check !== 'custom') continue;
      const message = fixedMessage(check);
      if (message === undefined) unstated.add(key);
      else rules.push(`- ${message}`);
    }
    if (rules.length > 0) {
      jsonSchema.description = [jsonSchema.description, ...rules]
        .filter((line) => line !== undefined)
        .join('\n');
    }
  };
}

function nodeAt(root: JsonSchema, key: string): JsonSchema | undefined {
  let node: unknown = root;
  for (const step of key === '' ? [] : key.split('.')) {
    node = (node as Record<string, unknown> | undefined)?.[step];
  }
  return typeof node === 'object' && node !== null ? (node as JsonSchema) : undefined;
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), by `z.toJSONSchema`. Zod states
 * types, lengths, regexes, enums, optional and unknown fields by itself; a refinement with a fixed
 * message becomes a line of `description`; anything else it cannot state (a transform on the
 * input side, a `superRefine`) needs a `Note` for its path (`properties.to`), or this throws,
 * naming the path: a new rule cannot go undocumented in silence.
 */
export function jsonSchemaOf(
  schema: z.core.$ZodType,
  options: { io: 'input' | 'output'; name: string; notes?: Record<string, Note> },
): JsonSchema {
  const notes = options.notes ?? {};
  const unstated = new Set<string>();
  const result = withoutDialect(
    z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: options.io,
      unrepresentable: 'throw',
      override: explainRules(options.io, unstated),
    }) as JsonSchema,
  );
  const missing = [...unstated].filter((key) => !notes[key]);
  if (missing.length > 0) {
    throw new Error(
      `${options.name}: the zod rules at ${missing.map((key) => key || '(root)').join(', ')} ` +
        'cannot be stated in JSON Schema: give each a Note',
    );
  }
  for (const [key, note] of Object.entries(notes)) {
    const node = nodeAt(result, key);
    if (!node) throw new Error(`${options.name}: a Note for ${key}, which is not in the schema`);
    const replaced = note(structuredClone(node));
    for (const field of Object.keys(node)) delete (node as Record<string, unknown>)[field];
    Object.assign(node, replaced);
  }
  return result;
}

/**
 * Several zod schemas at once, each named: a schema used inside another becomes a `$ref` to
 * `<base><name>` (`#/components/schemas/MessageResult`). Every rule must be statable (no Notes:
 * a registry's paths are not each schema's own).
 */
export function jsonSchemasOf(
  schemas: Record<string, z.core.$ZodType>,
  options: { io: 'input' | 'output'; base: string },
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const unstated = new Set<string>();
  const converted = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: options.io,
    unrepresentable: 'throw',
    uri: (id) => `${options.base}${id}`,
    override: explainRules(options.io, unstated),
  });
  if (unstated.size > 0) {
    throw new Error(
      `${Object.keys(schemas).join(', ')}: the zod rules at ${[...unstated].join(', ')} ` +
        'cannot be stated in JSON Schema',
    );
  }
  return Object.fromEntries(
    Object.entries(converted.schemas as Record<string, JsonSchema>).map(([id, schema]) => [
      id,
      withoutDialect(schema as JsonSchema),
    ]),
  );
}
