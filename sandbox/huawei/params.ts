import { invalidParameter, type Reply, systemError } from './replies.ts';

/** One template sent to a list of recipients (the whole form request, or one `smsContent` entry). */
export interface SmsContent {
  to: string[];
  templateId: string;
  templateParas: string[];
  signature?: string;
}

/** A send request that passed Huawei's request-level checks. */
export interface SendRequest {
  from: string;
  statusCallback?: string;
  extend?: string;
  contents: SmsContent[];
}

export type ParseOutcome = { ok: true; request: SendRequest } | { ok: false; reply: Reply };

/** Huawei: at most 500 numbers per `to`; more and the whole request fails. */
export const MAX_RECIPIENTS = 500;
/** Huawei: each number is at most 21 characters. */
const MAX_NUMBER_LENGTH = 21;
/** Huawei's API reference types `statusCallback` as String(1-1024). */
export const MAX_CALLBACK_LENGTH = 1024;

class ParamError extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super('refused');
    this.reply = reply;
  }
}

function fail(detail: string): never {
  throw new ParamError(invalidParameter(detail));
}

/** True when the Content-Type's media type is `expected` (parameters such as charset allowed). */
export function hasMediaType(contentType: string | undefined, expected: string): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === expected;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(`${name} must be a non-empty string`);
  return value;
}

/** An optional field for which Huawei treats an empty value as not given at all. */
function emptyAsAbsent(value: unknown, name: string): string | undefined {
  return value === '' ? undefined : optionalText(value, name);
}

/**
 * `signature` matters only for Chinese mainland universal templates ("not required for
 * international SMS"), and the guide says to set it to `''` when it is not required.
 */
function checkSignature(value: unknown): string | undefined {
  return emptyAsAbsent(value, 'signature');
}

function checkFrom(value: unknown, senders: readonly string[]): string {
  if (typeof value !== 'string' || value === '') return fail('from is required');
  if (!senders.includes(value)) return fail('from is not a channel number of this application');
  return value;
}

function checkTemplateId(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 32) {
    return fail('templateId must be 1-32 characters');
  }
  return value;
}

/** `extend` is String(1-128) and comes back in every report: empty is not a value of it. */
function checkExtend(value: unknown): string | undefined {
  const extend = optionalText(value, 'extend');
  if (extend !== undefined && (extend.length > 128 || /[{}]/.test(extend))) {
    fail('extend must be 1-128 characters without { or }');
  }
  return extend;
}

/**
 * Huawei: "If this parameter is set to an empty value or left unspecified, customers do not
 * receive status reports" (at the request's own URL; the app's batch report URL still applies).
 */
function checkCallback(value: unknown): string | undefined {
  const url = emptyAsAbsent(value, 'statusCallback');
  if (url === undefined) return undefined;
  if (url.length > MAX_CALLBACK_LENGTH || !/^https?:\/\/[^\s]+$/i.test(url) || !URL.canParse(url)) {
    fail(
      `statusCallback must be an absolute http(s) URL of at most ${MAX_CALLBACK_LENGTH} characters`,
    );
  }
  return url;
}

/** Whole-request rules on recipients; a malformed single number is judged per recipient later. */
function checkRecipients(numbers: readonly unknown[]): string[] {
  if (numbers.length === 0) fail('to must hold at least one number');
  if (numbers.length > MAX_RECIPIENTS) fail(`to holds more than ${MAX_RECIPIENTS} numbers`);
  return numbers.map((number) => {
    if (typeof number !== 'string' || number === '') return fail('to holds an empty number');
    if (!/^[0-9+]+$/.test(number)) return fail('to may only hold digits, + and commas');
    if (number.length > MAX_NUMBER_LENGTH) return fail('a number in to exceeds 21 characters');
    return number;
  });
}

/** `templateParas` must be an array of strings; a number (lost leading zeros) is refused. */
function checkParas(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail('templateParas must be an array');
  if (!value.every((item) => typeof item === 'string')) {
    return fail('templateParas values must be strings');
  }
  return value as string[];
}

function withOptional<T extends object>(target: T, extra: Record<string, string | undefined>): T {
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) Object.assign(target, { [key]: value });
  }
  return target;
}

function run(parse: () => SendRequest): ParseOutcome {
  try {
    return { ok: true, request: parse() };
  } catch (error) {
    if (error instanceof ParamError) return { ok: false, reply: error.reply };
    throw error;
  }
}

/**
 * `batchSendSms`: form-urlencoded fields (a `+` that was not percent-encoded arrives as a space,
 * exactly as on Huawei). A field named `statusCallBack` is not the callback: it is ignored.
 */
export function parseFormRequest(body: string, senders: readonly string[]): ParseOutcome {
  return run(() => {
    const fields = new URLSearchParams(body);
    const field = (name: string) => fields.get(name) ?? undefined;
    const from = checkFrom(field('from'), senders);
    const to = field('to');
    if (to === undefined || to === '') fail('to is required');
    if (!/^[0-9+,]*$/.test(to)) fail('to may only hold digits, + and commas');
    const recipients = checkRecipients(to.split(','));
    const templateId = checkTemplateId(field('templateId'));
    let paras: unknown;
    const rawParas = field('templateParas');
    // "If a non-variable template is used, assign an empty value to this parameter".
    if (rawParas !== undefined && rawParas !== '') {
      try {
        paras = JSON.parse(rawParas);
      } catch {
        throw new ParamError(systemError());
      }
    }
    const content = withOptional<SmsContent>(
      { to: recipients, templateId, templateParas: checkParas(paras) },
      { signature: checkSignature(field('signature')) },
    );
    return withOptional<SendRequest>(
      { from, contents: [content] },
      {
        statusCallback: checkCallback(field('statusCallback')),
        extend: checkExtend(field('extend')),
      },
    );
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `batchSendDiffSms`: JSON with `smsContent[]`, each `to` a real array, `templateParas` too. */
export function parseJsonRequest(body: string, senders: readonly string[]): ParseOutcome {
  return run(() => {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ParamError(systemError());
    }
    if (!isObject(json)) return fail('the body must be a JSON object');
    const from = checkFrom(json.from, senders);
    const items = json.smsContent;
    if (!Array.isArray(items) || items.length === 0) fail('smsContent must be a non-empty array');
    const contents = items.map((item) => {
      if (!isObject(item)) return fail('each smsContent entry must be an object');
      if (!Array.isArray(item.to)) return fail('smsContent[].to must be an array');
      return withOptional<SmsContent>(
        {
          to: checkRecipients(item.to),
          templateId: checkTemplateId(item.templateId),
          templateParas: checkParas(item.templateParas),
        },
        { signature: checkSignature(item.signature) },
      );
    });
    return withOptional<SendRequest>(
      { from, contents },
      { statusCallback: checkCallback(json.statusCallback), extend: checkExtend(json.extend) },
    );
  });
}
