import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiDocument, Response } from '../../shared/openapi/document.ts';

/** The `$id` the document is known by to the validator: its `$ref`s resolve inside it. */
const DOCUMENT_ID = 'urn:sms-relay:openapi';

/** The OpenAPI document's top-level fields: not schema keywords, tolerated on its root only. */
const DOCUMENT_FIELDS = ['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components'];

/** An answer as a handler returned it, or as it came over HTTP. */
export interface Answer {
  statusCode: number;
  headers: Record<string, string | number | boolean | undefined> | undefined;
  body: string;
}

/** JSON pointer escaping (RFC 6901). */
const pointerToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Checks real answers against the document: the status must be documented for the route, the
 * body valid against the schema the document gives it (JSON Schema 2020-12, ajv strict mode:
 * a keyword ajv does not know is an error, not ignored), and every documented header valid and,
 * when required, present. `covered` lists what was checked (`post /sms 202`).
 */
export function openApiChecker(document: OpenApiDocument) {
  // zod writes `format` beside a `pattern` that checks the same thing (uuid, date-time): the
  // patterns are what is validated here, the formats are known so strict mode accepts them.
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    formats: { uuid: true, 'date-time': true },
  });
  ajv.addVocabulary(DOCUMENT_FIELDS);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const validators = new Map<string, ValidateFunction>();
  const covered = new Set<string>();

  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };

  /** Follows an OpenAPI `$ref` (`#/components/headers/RetryAfter`) inside the document. */
  const resolve = <T>(value: T | { $ref: string }): T => {
    if (typeof value !== 'object' || value === null || !('$ref' in value)) return value as T;
    let node: unknown = document;
    for (const token of value.$ref.replace(/^#\//, '').split('/')) {
      node = (node as Record<string, unknown>)[token.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    if (node === undefined) throw new Error(`unresolved $ref ${value.$ref}`);
    return node as T;
  };

  const explain = (validate: ValidateFunction) =>
    ajv.errorsText(validate.errors, { separator: '\n', dataVar: 'body' });

  /** Checks one answer of `method path` (the document's path template); returns its body. */
  function check(method: string, path: string, answer: Answer): unknown {
    const operation = document.paths[path]?.[method];
    if (!operation) throw new Error(`${method} ${path} is not in the document`);
    const status = String(answer.statusCode);
    const response: Response | undefined = operation.responses[status];
    const what = `${method} ${path} ${status}`;
    if (!response) {
      throw new Error(`${what} is not documented (body: ${answer.body.slice(0, 300)})`);
    }
    const headers = new Map(
      Object.entries(answer.headers ?? {}).map(([name, value]) => [
        name.toLowerCase(),
        value === undefined ? undefined : String(value),
      ]),
    );
    let body: unknown;
    if (response.content) {
      const contentType = headers.get('content-type') ?? '';
      const mediaType = Object.keys(response.content).find((type) =>
        contentType.toLowerCase().startsWith(type),
      );
      if (!mediaType) throw new Error(`${what}: content-type ${contentType} is not documented`);
      body = JSON.parse(answer.body);
      const pointer = `/paths/${pointerToken(path)}/${method}/responses/${status}/content/${pointerToken(mediaType)}/schema`;
      const validate = validatorAt(pointer);
      if (!validate(body)) {
        throw new Error(
          `${what}: the body does not match the document:\n${explain(validate)}\n${answer.body.slice(0, 2000)}`,
        );
      }
    } else if (answer.body !== '') {
      throw new Error(
        `${what}: the document says no body, the answer has ${answer.body.length} characters`,
      );
    }
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = resolve(declared as { required?: boolean; schema: unknown });
      const raw = headers.get(name.toLowerCase());
      if (raw === undefined) {
        if (header.required) throw new Error(`${what}: header ${name} is required and missing`);
        continue;
      }
      const schema = header.schema as { type?: string };
      const value = schema.type === 'integer' || schema.type === 'number' ? Number(raw) : raw;
      const validate = ajv.compile(header.schema as object);
      if (!validate(value)) throw new Error(`${what}: header ${name}: ${explain(validate)}`);
    }
    covered.add(what);
    return body;
  }

  /** Validates `value` against a schema of the document (`/components/schemas/SendSmsRequest`). */
  function matches(pointer: string, value: unknown): { ok: boolean; errors: string } {
    const validate = validatorAt(pointer);
    const ok = validate(value) as boolean;
    return { ok, errors: ok ? '' : explain(validate) };
  }

  return { check, matches, covered };
}
