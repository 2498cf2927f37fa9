import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { magicRecipientStatus } from './magic.ts';
import type { SendRequest, SmsContent } from './params.ts';
import type { Reply } from './replies.ts';
import type { SandboxMessage } from './types.ts';

/** One entry of Huawei's `result` array. */
export interface RecipientResult {
  originTo: string;
  createTime: string;
  from: string;
  smsMsgId?: string;
  status: string;
  countryId?: string;
  total?: number;
}

/** Huawei's template rules: at most 20 variables, none empty, none holding `'`, `{` or `}`. */
const MAX_TEMPLATE_PARAS = 20;

/**
 * Huawei judges a malformed number (digits and `+` only, but not `+<country><number>`) per
 * recipient. The status it gives is not documented; E200025 ("recipient number not supported by
 * the channel") is the closest documented one.
 */
const BAD_NUMBER_STATUS = 'E200025';

/** `yyyy-MM-ddTHH:mm:ssZ`, Huawei's `createTime`. */
export function formatCreateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function templateMismatch(content: SmsContent): boolean {
  return (
    content.templateParas.length > MAX_TEMPLATE_PARAS ||
    content.templateParas.some((value) => value === '' || /['{}]/.test(value))
  );
}

/** Assigns `smsMsgId`s like Huawei's: a UUID, `_`, and a counter. */
export class MessageIds {
  #counter = 0;
  next(): string {
    this.#counter += 1;
    return `${randomUUID()}_${this.#counter}`;
  }
}

export interface Acceptance {
  reply: Reply;
  accepted: SandboxMessage[];
  /** Statuses in request order, for the log line. */
  statuses: string[];
}

/** Decides every recipient in request order and builds Huawei's answer (`000000` or `E000510`). */
export function accept(request: SendRequest, now: Date, ids: MessageIds): Acceptance {
  const createTime = formatCreateTime(now);
  const result: RecipientResult[] = [];
  const accepted: SandboxMessage[] = [];
  for (const content of request.contents) {
    const mismatch = templateMismatch(content);
    const seen = new Set<string>();
    for (const to of content.to) {
      const duplicate = seen.has(to);
      seen.add(to);
      const status = !/^\+[1-9]\d+$/.test(to)
        ? BAD_NUMBER_STATUS
        : duplicate
          ? 'E200041'
          : mismatch
            ? 'E200028'
            : (magicRecipientStatus(to) ?? '000000');
      if (status !== '000000') {
        result.push({ originTo: to, createTime, from: request.from, status });
        continue;
      }
      const smsMsgId = ids.next();
      const countryId = parsePhoneNumberFromString(to)?.country;
      // Huawei's field order, so a captured answer reads like a real one.
      result.push({
        originTo: to,
        createTime,
        from: request.from,
        smsMsgId,
        status,
        ...(countryId ? { countryId } : {}),
        total: 1,
      });
      accepted.push(toMessage(smsMsgId, to, content, request, now));
    }
  }
  const allAccepted = accepted.length === result.length;
  return {
    reply: {
      status: 200,
      body: allAccepted
        ? { code: '000000', description: 'Success', result }
        : {
            code: 'E000510',
            description: 'The SMS fails to be sent. For details, see status.',
            result,
          },
    },
    accepted,
    statuses: result.map((entry) => entry.status),
  };
}

function toMessage(
  smsMsgId: string,
  to: string,
  content: SmsContent,
  request: SendRequest,
  createdAt: Date,
): SandboxMessage {
  const message: SandboxMessage = {
    smsMsgId,
    to,
    from: request.from,
    templateId: content.templateId,
    templateParas: [...content.templateParas],
    createdAt,
  };
  if (request.statusCallback !== undefined) message.statusCallback = request.statusCallback;
  if (request.extend !== undefined) message.extend = request.extend;
  if (content.signature !== undefined) message.signature = content.signature;
  return message;
}
