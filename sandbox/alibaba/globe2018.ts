/** API 2018-05-01 (outside the Chinese mainland): SendMessageToGlobe, BatchSendMessageToGlobe. */
import { type Action, type ActionContext, store } from './context.ts';
import { businessEffect, deliveryOf, magicOf } from './magic.ts';
import { looseDigits, numberDetail, parseGlobeNumber, type Recipient } from './numbers.ts';
import { type Params, stringArray } from './params.ts';
import { globeParts } from './parts.ts';
import { globeError, globeReply } from './replies.ts';
import type { AlibabaMessage } from './types.ts';

export const VERSION_2018 = '2018-05-01';
/** BatchSendMessageToGlobe: at most 1,000 numbers per request. */
export const MAX_GLOBE_BATCH = 1000;
const MAX_TASK_ID = 255;
/** Sender id: letters and digits up to 11 characters, or digits only up to 15. */
const SENDER_ID = /^(?:[A-Za-z0-9]{1,11}|\d{1,15})$/;

const BUSINESS_CODES = {
  refuse: 'MOBILE_NUMBER_ILLEGAL',
  amount_not_enough: 'AMOUNT_NOT_ENOUGH',
  business_limit: 'BUSINESS_LIMIT_CONTROL',
} as const;

interface Common {
  from?: string;
  type?: string;
  taskId?: string;
  validityPeriod?: number;
}

/** `From`, `Type`, `TaskId`, `ValidityPeriod`, checked the same way by both send actions. */
function common(params: Params, types: readonly string[]): Common {
  const result: Common = {};
  const from = params.optional('From');
  if (from !== undefined) {
    if (!SENDER_ID.test(from)) throw globeError('INVALID_SENDERID');
    result.from = from;
  }
  const type = params.optional('Type');
  if (type !== undefined) {
    if (!types.includes(type)) {
      throw globeError('INVALID_PARAMETERS', `Type must be one of ${types.join(', ')}.`);
    }
    result.type = type;
  }
  const taskId = params.optional('TaskId');
  if (taskId !== undefined) {
    if (taskId.length > MAX_TASK_ID) {
      throw globeError('INVALID_PARAMETERS', 'TaskId must be 1 to 255 characters.');
    }
    result.taskId = taskId;
  }
  const validity = params.optional('ValidityPeriod');
  if (validity !== undefined) {
    if (!/^\d+$/.test(validity) || Number(validity) < 1) {
      throw globeError(
        'INVALID_PARAMETERS',
        'ValidityPeriod must be a positive number of seconds.',
      );
    }
    result.validityPeriod = Number(validity);
  }
  return result;
}

function toMessage(
  context: ActionContext,
  action: string,
  recipient: Recipient,
  text: string,
  options: Common,
): AlibabaMessage {
  const messageId = context.state.ids.messageId();
  return {
    key: messageId,
    version: VERSION_2018,
    action,
    number: recipient.number,
    phoneNumber: recipient.phoneNumber,
    messageId,
    ...options,
    content: text,
    parts: globeParts(text),
    sentAt: context.now,
    outcome: deliveryOf(recipient.number),
  };
}

/** SendMessageToGlobe: one free-text message to one number. */
export const sendMessageToGlobe: Action = (context) => {
  const { params } = context;
  const to = params.required('To');
  const text = params.required('Message');
  const recipient = parseGlobeNumber(to);
  if (!recipient) throw globeError('MOBILE_NUMBER_ILLEGAL');
  if (recipient.mainland) throw globeError('DOMESTIC_NUMBER_NOT_SUPPORTED');
  const options = common(params, ['OTP', 'NOTIFY', 'MKT']);
  const effect = businessEffect([recipient.number]);
  if (effect) throw globeError(BUSINESS_CODES[effect]);
  const message = toMessage(context, 'SendMessageToGlobe', recipient, text, options);
  store(context.state, [message]);
  return {
    reply: globeReply('OK', 'OK', {
      MessageId: message.messageId,
      Segments: String(message.parts),
      To: to,
      ...(options.from !== undefined ? { From: options.from } : {}),
      NumberDetail: numberDetail(recipient.number),
    }),
    accepted: [message],
  };
};

/**
 * BatchSendMessageToGlobe: a text per number (both JSON arrays), up to 1,000. A number that
 * cannot be sent (malformed, mainland, flow control) goes to `FailedList`; the others are sent.
 */
export const batchSendMessageToGlobe: Action = (context) => {
  const { params } = context;
  const toJson = params.required('To');
  const messageJson = params.required('Message');
  const tos = stringArray(toJson);
  if (!tos) throw globeError('INVALID_JSON_PARAM', 'To must be a JSON array of strings.');
  if (tos.length === 0) throw globeError('INVALID_PARAMETERS', 'To is empty.');
  if (tos.length > MAX_GLOBE_BATCH) throw globeError('MOBILE_COUNT_OVER_LIMIT');
  const texts = stringArray(messageJson);
  if (!texts) throw globeError('INVALID_JSON_PARAM', 'Message must be a JSON array of strings.');
  if (texts.length !== tos.length) {
    throw globeError('INVALID_PARAMETERS', 'Message must have one text per To number.');
  }
  if (texts.some((text) => text === '')) {
    throw globeError('INVALID_PARAMETERS', 'Message holds an empty text.');
  }
  const options = common(params, ['NOTIFY', 'MKT']);
  const whole = businessEffect(tos.map(looseDigits));
  if (whole === 'refuse' || whole === 'amount_not_enough') throw globeError(BUSINESS_CODES[whole]);

  const accepted: AlibabaMessage[] = [];
  const failed: string[] = [];
  tos.forEach((to, i) => {
    const recipient = parseGlobeNumber(to);
    if (
      !recipient ||
      recipient.mainland ||
      magicOf(recipient.number)?.effect === 'business_limit'
    ) {
      failed.push(to);
      return;
    }
    accepted.push(
      toMessage(context, 'BatchSendMessageToGlobe', recipient, texts[i] ?? '', options),
    );
  });
  store(context.state, accepted);
  return {
    reply: globeReply('OK', 'OK', {
      ...(options.from !== undefined ? { From: options.from } : {}),
      SuccessCount: String(accepted.length),
      MessageIdList: JSON.stringify(accepted.map((m) => m.messageId)),
      FailedList: JSON.stringify(failed),
    }),
    accepted,
  };
};
