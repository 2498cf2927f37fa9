import pkg from '../../package.json' with { type: 'json' };
import { ERRORS } from '../errors.ts';
import { errorDetailSchema, errorResponseSchema } from '../schemas/responses.ts';
import { MAX_BATCH_RECIPIENTS } from '../schemas/sendBatch.ts';
import { MAX_RECIPIENTS } from '../schemas/sendSms.ts';
import { componentSchemas, SCHEMAS } from './components.ts';
import { type JsonSchema, jsonSchemaOf, jsonSchemasOf } from './jsonSchema.ts';
import {
  idempotencyKeySchema,
  idempotentReplayedSchema,
  messageIdParameterSchema,
  numberParameterSchema,
  retryAfterSchema,
} from './parameters.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API (SPEC: routes, payloads, errors), generated from the
 * zod schemas of the requests (shared/schemas/sendSms.ts, sendBatch.ts) and of the answers
 * (shared/schemas/responses.ts); only the routes, statuses and prose are written here. Served by
 * functions/openapi.ts at `GET /openapi.json`. The status callback (a Function URL the providers
 * push to) is not part of it.
 */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: Record<string, unknown>;
  servers: Array<{ url: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
} & Record<string, unknown>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, Response>;
}

export interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: JsonSchema }>;
}

/** The statuses errors are answered with, each with the codes it can carry. */
const ERROR_STATUSES = [400, 404, 409, 413, 415, 422, 429, 500, 502, 503, 504] as const;
type ErrorStatus = (typeof ERROR_STATUSES)[number];

/** The codes a status carries, from shared/errors.ts (internal faults all read `internal`). */
function codesOf(status: ErrorStatus): [string, ...string[]] {
  const codes = new Set<string>();
  for (const [code, entry] of Object.entries(ERRORS) as Array<
    [string, { status: number; shown?: string }]
  >) {
    if (entry.status === status) codes.add(entry.shown ?? code);
  }
  const [first, ...rest] = [...codes];
  if (first === undefined) throw new Error(`shared/errors.ts has no code for ${status}`);
  return [first, ...rest];
}

/** What each error status means (README "Errors"). */
const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400:
    '`invalid_request`: the body is not valid JSON or breaks a rule; `details` lists every ' +
    'problem (`{path, message}`). `template_not_available`: a provider some recipients are ' +
    'routed to has no version of the template. Nothing was sent.',
  404: '`not_found`.',
  409:
    '`idempotency_in_progress`: the first request with this `Idempotency-Key` is still ' +
    'running; try again after `Retry-After` seconds.',
  413: '`payload_too_large`: the body is over the limit of the route.',
  415: '`unsupported_media_type`: `Content-Type` is not `application/json`.',
  422: '`idempotency_conflict`: this `Idempotency-Key` was used with another body; nothing was sent.',
  429:
    '`rate_limited`: every recipient is over `SMS_RECIPIENT_LIMIT` (with `Retry-After`), or the ' +
    "provider kept throttling; nothing was sent. API Gateway's usage plan throttle answers " +
    '`{"message": "Too Many Requests"}`.',
  500:
    '`internal`: a fault of the service itself (misconfiguration, a bug, or messages submitted ' +
    'but not recorded: `details` lists them, do not resend them); details go to the logs.',
  502:
    '`provider_rejected`: the provider refused the whole request (credentials, IP whitelist, ' +
    'account or configuration); nothing was sent.',
  503:
    '`provider_unavailable`: the provider could not be reached or kept answering 5xx; nothing ' +
    'was sent, safe to try again. `store_unavailable`: the table could not be read or written.',
  504:
    '`provider_timeout`: the request reached the provider but no answer came in time: the ' +
    'messages may have been sent (recorded as `unknown`, never resent); `details` lists each ' +
    '`messageId`.',
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `${SCHEMAS}${name}` });

/** A response header, its schema and description from its zod schema. */
function header(schema: Parameters<typeof jsonSchemaOf>[0], name: string, required = false) {
  return {
    description: describedBy(schema, name),
    ...(required ? { required: true } : {}),
    schema: parameterSchema(schema, name),
  };
}

/** A route's answers: its success, then the error statuses it can give. */
function answers(
  success: Record<string, Response>,
  errors: readonly ErrorStatus[],
  options: { replayable?: boolean } = {},
): Record<string, Response> {
  const replayed = options.replayable
    ? { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } }
    : {};
  const out: Record<string, Response> = {};
  for (const [status, response] of Object.entries(success)) {
    out[status] = { ...response, headers: { ...replayed, ...response.headers } };
    if (Object.keys(out[status]?.headers ?? {}).length === 0) delete out[status]?.headers;
  }
  out['403'] = {
    description:
      "API Gateway's answer to a missing or wrong `x-api-key` (the handler is not reached).",
    content: json(ref('GatewayError')),
  };
  for (const status of errors) {
    const retry =
      status === 409
        ? { 'Retry-After': header(retryAfterSchema, 'Retry-After', true) }
        : status === 429
          ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }
          : {};
    const replay = status === 409 || status === 422 ? {} : replayed;
    const headers = { ...replay, ...retry };
    out[String(status)] = {
      description: ERROR_DESCRIPTIONS[status],
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: json(
        status === 429
          ? { anyOf: [ref(`Error${status}`), ref('GatewayError')] }
          : ref(`Error${status}`),
      ),
    };
  }
  return out;
}

function parameterSchema(schema: Parameters<typeof jsonSchemaOf>[0], name: string): JsonSchema {
  const { description: _description, ...rest } = jsonSchemaOf(schema, { io: 'input', name });
  return rest;
}

function describedBy(schema: Parameters<typeof jsonSchemaOf>[0], name: string): string {
  return jsonSchemaOf(schema, { io: 'input', name }).description ?? '';
}

function paths(): OpenApiDocument['paths'] {
  const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
  const opt = (method: 'get' | 'put' | 'delete'): Operation => {
    const shared = {
      tags: ['Opt-outs'],
      parameters: [{ $ref: '#/components/parameters/Number' }],
    };
    switch (method) {
      case 'get':
        return {
          ...shared,
          operationId: 'getOptOut',
          summary: 'Whether a number is opted out',
          responses: answers(
            { 200: { description: 'The number is opted out.', content: json(ref('OptOut')) } },
            [400, 404, 500, 503],
          ),
        };
      case 'put':
        return {
          ...shared,
          operationId: 'putOptOut',
          summary: 'Opt a number out',
          description:
            'Source `api`. A number already opted out stays as it was, and the answer shows that ' +
            'first opt-out.',
          responses: answers(
            { 200: { description: 'The number is opted out.', content: json(ref('OptOut')) } },
            [400, 500, 503],
          ),
        };
      case 'delete':
        return {
          ...shared,
          operationId: 'deleteOptOut',
          summary: 'Opt a number back in',
          responses: answers(
            {
              204: {
                description: 'The number is opted in (also when it was not opted out).',
              },
            },
            [400, 500, 503],
          ),
        };
    }
  };
  return {
    '/sms': {
      post: {
        operationId: 'sendSms',
        summary: 'Send one template to 1..500 numbers',
        description:
          `One template to up to ${MAX_RECIPIENTS} numbers, each through the provider its number ` +
          'routes to (`SMS_ROUTES`). Every message is recorded before the answer. Bodies over ' +
          '64 KiB are `413`.',
        tags: ['Sending'],
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('SendSmsRequest'),
              example: {
                to: ['+6591234567', '+6598765432'],
                templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
                templateParas: ['123456', '5'],
                reference: 'order-42',
              },
            },
          },
        },
        responses: answers(
          {
            202: {
              description: 'One entry per recipient, in request order.',
              content: json(ref('SendSmsResponse')),
            },
          },
          [400, 409, 413, 415, 422, 429, 500, 502, 503, 504],
          { replayable: true },
        ),
      },
    },
    '/sms/batch': {
      post: {
        operationId: 'sendBatch',
        summary: 'Send many groups, up to 10,000 recipients',
        description:
          `Many templates, up to ${MAX_BATCH_RECIPIENTS} recipients in all (the same payload is ` +
          'the input of a reminder schedule). Results per group, per recipient, in request ' +
          'order; a recipient the call had no time left to send is `not_sent` (safe to send ' +
          'again). A request a provider refused or could not take affects only its own ' +
          'recipients. Bodies over 1 MiB are `413`.',
        tags: ['Sending'],
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('SendBatchRequest'),
              example: {
                messages: [
                  {
                    to: ['+6591234567', '+6598765432'],
                    templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
                    templateParas: ['09:30'],
                  },
                  { to: '+6581234567', templateId: 'demo-otp', templateParas: ['123456'] },
                ],
                reference: 'reminders-2026-11-22',
              },
            },
          },
        },
        responses: answers(
          {
            202: {
              description: 'Per group, per recipient results, in request order.',
              content: json(ref('SendBatchResponse')),
            },
          },
          [400, 409, 413, 415, 422, 429, 500, 503],
          { replayable: true },
        ),
      },
    },
    '/sms/{messageId}': {
      get: {
        operationId: 'getMessage',
        summary: 'A message, its status and delivery history',
        tags: ['Status'],
        parameters: [{ $ref: '#/components/parameters/MessageId' }],
        responses: answers(
          { 200: { description: 'The message.', content: json(ref('Message')) } },
          [404, 500, 503],
        ),
      },
    },
    '/opt-outs/{number}': { get: opt('get'), put: opt('put'), delete: opt('delete') },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        tags: ['Document'],
        security: [],
        responses: {
          200: {
            description: 'The OpenAPI 3.1 document of this API.',
            content: json({ type: 'object' }),
          },
        },
      },
    },
  };
}

/** The document; `servers` says where the API is (default: where the document is served). */
export function buildOpenApiDocument(
  servers: OpenApiDocument['servers'] = [{ url: '/' }],
): OpenApiDocument {
  const errorSchemas = jsonSchemasOf(
    {
      Error: errorResponseSchema(),
      ErrorDetail: errorDetailSchema,
      ...Object.fromEntries(
        ERROR_STATUSES.map((status) => [`Error${status}`, errorResponseSchema(codesOf(status))]),
      ),
    },
    { io: 'output', base: SCHEMAS },
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'sms-relay',
      version: pkg.version,
      description:
        'Templated SMS through Huawei Cloud Message & SMS and Alibaba Cloud SMS: one request ' +
        'shape, whichever provider carries it, a durable record of every message and its ' +
        'delivery reports. Every route but this document needs the API key (`x-api-key`). ' +
        'Errors are `{"error": {"code", "message", "details"?}}`, never a stack trace. Delivery ' +
        'reports reach the service on its status callback, a Lambda Function URL the providers ' +
        'push to, which is not part of this API.',
    },
    servers,
    security: [{ apiKey: [] }],
    tags: [
      { name: 'Sending', description: 'Send templated SMS.' },
      { name: 'Status', description: 'What became of a message.' },
      { name: 'Opt-outs', description: 'Numbers that are never sent to.' },
      { name: 'Document', description: 'This OpenAPI document.' },
    ],
    paths: paths(),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description:
            'The API Gateway API key (`serverless info` prints it; `npm start` prints the local ' +
            'one).',
        },
      },
      schemas: { ...componentSchemas(), ...errorSchemas },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: describedBy(idempotencyKeySchema, 'Idempotency-Key'),
          schema: parameterSchema(idempotencyKeySchema, 'Idempotency-Key'),
        },
        MessageId: {
          name: 'messageId',
          in: 'path',
          required: true,
          description: describedBy(messageIdParameterSchema, 'messageId'),
          schema: parameterSchema(messageIdParameterSchema, 'messageId'),
        },
        Number: {
          name: 'number',
          in: 'path',
          required: true,
          description: describedBy(numberParameterSchema, 'number'),
          schema: parameterSchema(numberParameterSchema, 'number'),
        },
      },
      headers: {
        IdempotentReplayed: header(idempotentReplayedSchema, 'Idempotent-Replayed'),
        RetryAfter: header(retryAfterSchema, 'Retry-After'),
      },
    },
  };
}
