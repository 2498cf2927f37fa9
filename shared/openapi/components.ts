import {
  errorDetailSchema,
  gatewayErrorSchema,
  historyEntrySchema,
  messageResultSchema,
  messageStatusSchema,
  messageViewSchema,
  optOutSchema,
  sendBatchResponseSchema,
  sendSmsResponseSchema,
} from '../schemas/responses.ts';
import { sendBatchRequestSchema } from '../schemas/sendBatch.ts';
import { sendSmsRequestSchema } from '../schemas/sendSms.ts';
import { type JsonSchema, jsonSchemaOf, jsonSchemasOf, type Note } from './jsonSchema.ts';
import { E164_SHAPE } from './parameters.ts';

export const SCHEMAS = '#/components/schemas/';

/**
 * `to` (shared/schemas/fields.ts `recipients`): one number or an array, the array without
 * duplicates. Zod states the array (lengths, items); the transform that takes one number alone and
 * the duplicate check (a superRefine) are stated here.
 */
const oneOrMoreNumbers: Note = (array) => {
  const number: JsonSchema = { ...(array.items as JsonSchema), pattern: E164_SHAPE.source };
  const { description, ...list } = array;
  return {
    description: [
      'One E.164 number, or an array of distinct ones (a duplicate is refused).',
      description,
    ]
      .filter((line) => line !== undefined)
      .join('\n'),
    anyOf: [number, { ...list, items: number, uniqueItems: true }],
  };
};

/** The request bodies, read as callers send them (zod's input side). */
function requestSchemas(): Record<string, JsonSchema> {
  return {
    SendSmsRequest: jsonSchemaOf(sendSmsRequestSchema, {
      io: 'input',
      name: 'SendSmsRequest',
      notes: { 'properties.to': oneOrMoreNumbers },
    }),
    SendBatchRequest: jsonSchemaOf(sendBatchRequestSchema, {
      io: 'input',
      name: 'SendBatchRequest',
      notes: { 'properties.messages.items.properties.to': oneOrMoreNumbers },
    }),
  };
}

/** The answers, as the handlers produce them (zod's output side), referring to each other. */
function responseSchemas(): Record<string, JsonSchema> {
  return jsonSchemasOf(
    {
      SendSmsResponse: sendSmsResponseSchema,
      SendBatchResponse: sendBatchResponseSchema,
      MessageResult: messageResultSchema,
      Message: messageViewSchema,
      HistoryEntry: historyEntrySchema,
      MessageStatus: messageStatusSchema,
      OptOut: optOutSchema,
      ErrorDetail: errorDetailSchema,
      GatewayError: gatewayErrorSchema,
    },
    { io: 'output', base: SCHEMAS },
  );
}

/** `components.schemas` of the document. */
export function componentSchemas(): Record<string, JsonSchema> {
  return { ...requestSchemas(), ...responseSchemas() };
}
