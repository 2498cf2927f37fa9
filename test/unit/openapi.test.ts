import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import { handler } from '../../functions/openapi.ts';
import type { MessageResult } from '../../shared/core/records.ts';
import type { BatchResult } from '../../shared/core/sendBatch.ts';
import type { HistoryEntry } from '../../shared/delivery/state.ts';
import type { MessageView } from '../../shared/delivery/view.ts';
import { ERRORS } from '../../shared/errors.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../../shared/openapi/document.ts';
import { jsonSchemaOf } from '../../shared/openapi/jsonSchema.ts';
import type {
  ErrorResponse,
  historyEntrySchema,
  messageResultSchema,
  messageViewSchema,
  SendBatchResponse,
} from '../../shared/schemas/responses.ts';
import { sendBatchRequestSchema } from '../../shared/schemas/sendBatch.ts';
import { sendSmsRequestSchema } from '../../shared/schemas/sendSms.ts';
import { openApiChecker } from '../helpers/openapi.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const document = buildOpenApiDocument();
const checker = openApiChecker(document);

/** Every route of SPEC and README, with the statuses each can answer. */
const ROUTES: Record<string, Record<string, number[]>> = {
  '/sms': { post: [202, 400, 403, 409, 413, 415, 422, 429, 500, 502, 503, 504] },
  '/sms/batch': { post: [202, 400, 403, 409, 413, 415, 422, 429, 500, 503] },
  '/sms/{messageId}': { get: [200, 403, 404, 500, 503] },
  '/opt-outs/{number}': {
    get: [200, 400, 403, 404, 500, 503],
    put: [200, 400, 403, 500, 503],
    delete: [204, 400, 403, 500, 503],
  },
  '/openapi.json': { get: [200] },
};

function schemaNamed(name: string): unknown {
  const schema = document.components.schemas?.[name];
  if (!schema) throw new Error(`no schema ${name}`);
  return schema;
}

function event(path: string | undefined): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path: '/openapi.json',
    headers: {},
    requestContext: path === undefined ? undefined : { path },
  } as unknown as APIGatewayProxyEvent;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every route, method and status of the contract', () => {
    expect(document.openapi).toBe('3.1.0');
    const routes = Object.fromEntries(
      Object.entries(document.paths).map(([path, methods]) => [
        path,
        Object.fromEntries(
          Object.entries(methods).map(([method, operation]) => [
            method,
            Object.keys(operation.responses).map(Number),
          ]),
        ),
      ]),
    );
    expect(routes).toEqual(ROUTES);
    const ids = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('asks for the API key (x-api-key) everywhere but on itself', () => {
    expect(document.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    });
    expect(document.security).toEqual([{ apiKey: [] }]);
    expect(document.paths['/openapi.json']?.get?.security).toEqual([]);
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const operation of Object.values(methods)) {
        if (path !== '/openapi.json') expect(operation.security).toBeUndefined();
      }
    }
  });

  it('documents Idempotency-Key (1..255 printable ASCII) on both POSTs, and the answer headers', () => {
    const key = document.components.parameters?.IdempotencyKey as {
      name: string;
      in: string;
      schema: { pattern: string };
    };
    expect(key).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: false });
    const pattern = new RegExp(key.schema.pattern, 'u');
    expect(pattern.test('a')).toBe(true);
    expect(pattern.test('order-42 retry #1 ~!')).toBe(true);
    expect(pattern.test('x'.repeat(255))).toBe(true);
    expect(pattern.test('')).toBe(false);
    expect(pattern.test('x'.repeat(256))).toBe(false);
    expect(pattern.test('caf\u00e9')).toBe(false);
    expect(pattern.test('tab\there')).toBe(false);
    for (const path of ['/sms', '/sms/batch']) {
      const post = document.paths[path]?.post;
      expect(post?.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
      expect(post?.responses['202']?.headers).toHaveProperty('Idempotent-Replayed');
      expect(post?.responses['409']?.headers?.['Retry-After']).toMatchObject({ required: true });
      expect(post?.responses['429']?.headers).toHaveProperty('Retry-After');
    }
    expect(document.components.headers?.IdempotentReplayed).toMatchObject({
      schema: { const: 'true' },
    });
    expect(document.components.headers?.RetryAfter).toMatchObject({
      schema: { type: 'integer', minimum: 1 },
    });
  });

  it('gives every error status the error body, with the codes shared/errors.ts answers it with', () => {
    for (const [code, { status, ...rest }] of Object.entries(ERRORS)) {
      if (status === 401 || status === 405) continue; // the status callback's, and unroutable
      const shown = 'shown' in rest ? rest.shown : code;
      const schema = document.components.schemas?.[`Error${status}`] as {
        properties: { error: { properties: { code: { enum: string[] } } } };
      };
      expect(schema.properties.error.properties.code.enum, code).toContain(shown);
    }
    const body: ErrorResponse = {
      error: {
        code: 'provider_timeout',
        message: 'm',
        details: [{ path: 'to[0]', message: 'x', messageId: 'id' }],
      },
    };
    expect(checker.matches('/components/schemas/Error504', body)).toEqual({ ok: true, errors: '' });
    expect(
      checker.matches('/components/schemas/Error504', {
        error: { code: 'not_found', message: 'm' },
      }).ok,
    ).toBe(false);
    expect(checker.matches('/components/schemas/Error', { error: { code: 'x' } }).ok).toBe(false);
    expect(
      checker.matches('/components/schemas/Error', {
        error: { code: 'x', message: 'm' },
        stack: '',
      }).ok,
    ).toBe(false);
  });

  it('compiles every schema in ajv strict mode, every $ref resolving', () => {
    for (const name of Object.keys(document.components.schemas ?? {})) {
      expect(() => checker.matches(`/components/schemas/${name}`, null), name).not.toThrow();
    }
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const status of Object.keys(operation.responses)) {
          const pointer = `/paths/${path.replaceAll('/', '~1')}/${method}/responses/${status}`;
          const content = operation.responses[status]?.content;
          if (content) {
            expect(() =>
              checker.matches(`${pointer}/content/application~1json/schema`, {}),
            ).not.toThrow();
          }
        }
      }
    }
  });
});

describe('the request schemas in the document agree with zod', () => {
  const SMS = '/components/schemas/SendSmsRequest';
  const BATCH = '/components/schemas/SendBatchRequest';
  const valid = { to: '+6591234567', templateId: 'demo-otp', templateParas: ['0042'] };

  it.each([
    ['one number as a string', valid],
    ['an array of numbers', { ...valid, to: ['+6591234567', '+6598765432'] }],
    ['every field', { ...valid, signature: 'Acme', reference: 'order-42' }],
    [
      '500 numbers',
      { ...valid, to: Array.from({ length: 500 }, (_, i) => `+659${String(1_000_000 + i)}`) },
    ],
  ])('accepts what zod accepts: %s', (_what, body) => {
    expect(sendSmsRequestSchema.safeParse(body).success).toBe(true);
    expect(checker.matches(SMS, body)).toEqual({ ok: true, errors: '' });
  });

  it.each([
    ['no templateId', { to: '+6591234567' }],
    ['an unknown field', { ...valid, templateParams: ['1'] }],
    ['a number as a template parameter', { ...valid, templateParas: [42] }],
    ['an empty template parameter', { ...valid, templateParas: [''] }],
    ['no recipient', { ...valid, to: [] }],
    ['a duplicate recipient', { ...valid, to: ['+6591234567', '+6591234567'] }],
    ['a number without +', { ...valid, to: '6591234567' }],
    [
      '501 numbers',
      { ...valid, to: Array.from({ length: 501 }, (_, i) => `+659${String(1_000_000 + i)}`) },
    ],
    ['a long templateId', { ...valid, templateId: 'x'.repeat(33) }],
    ['a long reference', { ...valid, reference: 'r'.repeat(129) }],
    ['21 template parameters', { ...valid, templateParas: Array(21).fill('1') }],
  ])('refuses what zod refuses: %s', (_what, body) => {
    expect(sendSmsRequestSchema.safeParse(body).success).toBe(false);
    expect(checker.matches(SMS, body).ok).toBe(false);
  });

  it('describes the rules JSON Schema cannot state (zod refinements) in words', () => {
    const sms = schemaNamed('SendSmsRequest') as {
      properties: Record<string, { description?: string }>;
    };
    expect(sms.properties.reference?.description).toContain('must not contain { or }');
    expect((schemaNamed('SendBatchRequest') as { description?: string }).description).toContain(
      'must address at most 10000 recipients in all',
    );
  });

  it('agrees on batches, one number alone or many, and refuses what zod refuses', () => {
    const batch = {
      messages: [
        { to: ['+6591234567', '+6598765432'], templateId: 'tplA', templateParas: ['09:30'] },
        { to: '+6581234567', templateId: 'demo-otp' },
      ],
      reference: 'reminders-2026-11-22',
    };
    expect(sendBatchRequestSchema.safeParse(batch).success).toBe(true);
    expect(checker.matches(BATCH, batch)).toEqual({ ok: true, errors: '' });
    for (const bad of [
      { messages: [] },
      { ...batch, extra: true },
      { messages: [{ ...batch.messages[0], to: ['+6591234567', '+6591234567'] }] },
      { messages: [{ to: '+6591234567' }] },
    ]) {
      expect(sendBatchRequestSchema.safeParse(bad).success).toBe(false);
      expect(checker.matches(BATCH, bad).ok).toBe(false);
    }
  });

  it("holds the examples the document shows, by zod's rules and its own", () => {
    const examples: Array<[string, z.core.$ZodType]> = [
      ['/sms', sendSmsRequestSchema],
      ['/sms/batch', sendBatchRequestSchema],
    ];
    for (const [path, schema] of examples) {
      const body = document.paths[path]?.post?.requestBody as
        | { content: Record<string, { example: unknown; schema: { $ref: string } }> }
        | undefined;
      const media = body?.content['application/json'];
      expect(z.safeParse(schema, media?.example).success, path).toBe(true);
      expect(checker.matches(media?.schema.$ref.slice(1) ?? '', media?.example).ok, path).toBe(
        true,
      );
    }
  });
});

/** Every key of every member of a union. */
type AllKeys<T> = T extends unknown ? keyof T : never;

describe('the response schemas', () => {
  it('describe every answer the handler types allow, field by field', () => {
    // Every value of the handlers' types is valid by the schemas' types...
    expectTypeOf<MessageResult>().toExtend<z.input<typeof messageResultSchema>>();
    expectTypeOf<MessageView>().toExtend<z.input<typeof messageViewSchema>>();
    expectTypeOf<Pick<BatchResult, 'groups' | 'counts'>>().toExtend<SendBatchResponse>();
    // ...and no field of theirs is missing from the schemas (which refuse unknown fields).
    expectTypeOf<AllKeys<MessageResult>>().toExtend<AllKeys<z.input<typeof messageResultSchema>>>();
    expectTypeOf<keyof MessageView>().toExtend<keyof z.input<typeof messageViewSchema>>();
    expectTypeOf<keyof HistoryEntry>().toExtend<keyof z.input<typeof historyEntrySchema>>();
  });
});

describe('jsonSchemaOf', () => {
  it('turns a refinement with a fixed message into a line of description', () => {
    const schema = z.string().check(z.refine((s) => s !== 'x', 'must not be x'));
    expect(jsonSchemaOf(schema, { io: 'input', name: 'T' })).toEqual({
      type: 'string',
      description: '- must not be x',
    });
  });

  it('refuses to drop a transform or a superRefine in silence, and applies a Note for it', () => {
    const transformed = z.strictObject({
      to: z.pipe(
        z.transform((v: unknown) => v),
        z.array(z.string()),
      ),
    });
    expect(() => jsonSchemaOf(transformed, { io: 'input', name: 'T' })).toThrow(
      /T: the zod rules at properties\.to cannot be stated/,
    );
    const refined = z.array(z.string()).check(z.superRefine(() => {}));
    expect(() => jsonSchemaOf(refined, { io: 'input', name: 'R' })).toThrow(/R: .*\(root\)/);
    expect(
      jsonSchemaOf(refined, {
        io: 'input',
        name: 'R',
        notes: { '': (s) => ({ ...s, uniqueItems: true }) },
      }),
    ).toEqual({ type: 'array', items: { type: 'string' }, uniqueItems: true });
  });
});

describe('GET /openapi.json (functions/openapi.ts)', () => {
  it('answers the document as JSON, with the API where the document is', async () => {
    const answer = await handler(event('/dev/openapi.json'));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['content-type']).toBe('application/json');
    const served = JSON.parse(answer.body) as OpenApiDocument;
    expect(served).toEqual({ ...document, servers: [{ url: '/dev' }] });
    checker.check('get', '/openapi.json', {
      statusCode: answer.statusCode,
      headers: answer.headers as Record<string, string>,
      body: answer.body,
    });
  });

  it.each([
    ['/openapi.json', '/'],
    ['/v1/sms/openapi.json', '/v1/sms'],
    [undefined, '/'],
    ['/a b/openapi.json', '/'],
    ['//evil.example/openapi.json', '/'],
  ])('derives the server URL from the request path %s as %s', async (path, url) => {
    const answer = await handler(event(path));
    expect((JSON.parse(answer.body) as OpenApiDocument).servers).toEqual([{ url }]);
  });
});

/** Every relative import of a file (static, dynamic, type-only and re-exports), resolved. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)].map((m) =>
    resolve(dirname(file), m[1] as string),
  );
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file) || !file.endsWith('.ts')) continue;
    seen.add(file);
    queue.push(...imports(file));
  }
  return seen;
}

describe('bundles', () => {
  it('no handler but functions/openapi.ts reaches the generator (zod to JSON Schema)', () => {
    const generator = join(ROOT, 'shared', 'openapi');
    const handlers = readdirSync(join(ROOT, 'functions'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(ROOT, 'functions', name));
    const reaching = handlers.filter((file) =>
      [...reachable(file)].some((target) => target.startsWith(generator)),
    );
    expect(reaching.map((file) => relative(ROOT, file))).toEqual(['functions/openapi.ts']);
    expect(statSync(join(generator, 'document.ts')).isFile()).toBe(true);
  });
});
