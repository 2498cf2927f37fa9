import type { Handled, Outcome, ReceivedRequest } from '../common/http.ts';
import { decodeQuery } from './acs3.ts';
import { authenticate } from './auth.ts';
import type { Action, AlibabaState } from './context.ts';
import { sendBatchSms, sendSms, VERSION_2017 } from './dysms2017.ts';
import { batchSendMessageToGlobe, sendMessageToGlobe, VERSION_2018 } from './globe2018.ts';
import { gatewayEffect, isSlow } from './magic.ts';
import { looseDigits } from './numbers.ts';
import { Params, stringArray } from './params.ts';
import { queryMessage, querySendDetails } from './queries.ts';
import { gatewayError, isRefused, type Reply } from './replies.ts';
import type { AlibabaMessage } from './types.ts';

/** Both API versions on one port, told apart by `x-acs-version`, then by `x-acs-action`. */
const ROUTES: Readonly<Record<string, Readonly<Record<string, Action>>>> = {
  [VERSION_2017]: {
    SendSms: sendSms,
    SendBatchSms: sendBatchSms,
    QuerySendDetails: querySendDetails,
  },
  [VERSION_2018]: {
    SendMessageToGlobe: sendMessageToGlobe,
    BatchSendMessageToGlobe: batchSendMessageToGlobe,
    QueryMessage: queryMessage,
  },
};

/** Where each action carries its recipients (magic numbers only act on the send actions). */
const RECIPIENTS: Readonly<Record<string, { param: string; json: boolean; send: boolean }>> = {
  SendSms: { param: 'PhoneNumbers', json: false, send: true },
  SendBatchSms: { param: 'PhoneNumberJson', json: true, send: true },
  SendMessageToGlobe: { param: 'To', json: false, send: true },
  BatchSendMessageToGlobe: { param: 'To', json: true, send: true },
  QuerySendDetails: { param: 'PhoneNumber', json: false, send: false },
};

/** The Alibaba handler's verdict, with the messages whose delivery is to be scheduled. */
export interface AlibabaHandled extends Handled {
  accepted?: AlibabaMessage[];
}

const reply = (r: Reply, delayMs = 0): Outcome => ({ kind: 'reply', reply: r, delayMs });

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** The raw recipient strings of a request, as loosely as can be (before any check). */
function recipientsOf(action: string, params: Params): { raw: string[]; send: boolean } {
  const where = RECIPIENTS[action];
  if (!where) return { raw: [], send: false };
  const value = params.get(where.param) ?? '';
  if (value === '') return { raw: [], send: where.send };
  const raw = where.json
    ? (stringArray(value) ?? value.match(/\+?\d{5,}/g) ?? [])
    : value.split(',').map((n) => n.trim());
  return { raw: raw.filter((n) => n !== ''), send: where.send };
}

/**
 * The gateway's order: method, ACS3 (before the API is looked up, so a changed `x-acs-action` or
 * `x-acs-version` fails as a changed signed byte), path and API (`x-acs-version`, `x-acs-action`),
 * the gateway-level magic (outage, throttling); then the action itself: its parameter checks,
 * the business-level magic, acceptance. A hang or reset is decided up front but applied after
 * the request was processed: the answer is lost, not the request.
 */
export function handle(request: ReceivedRequest, state: AlibabaState, now: Date): AlibabaHandled {
  const host = request.headers.host ?? '';
  const error = (status: number, code: string, message: string): AlibabaHandled => ({
    outcome: reply(gatewayError(status, code, message, host)),
  });
  if (request.method !== 'POST' && request.method !== 'GET') {
    return error(403, 'UnsupportedHTTPMethod', 'This http method is not supported.');
  }
  const auth = authenticate(
    {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body: request.bytes,
    },
    { lookup: (id) => state.credentials.get(id), nonces: state.nonces, now, host },
  );
  const version = request.headers['x-acs-version'];
  const action = request.headers['x-acs-action'];
  if (!auth.ok) {
    // The action names the log line when it is a plain name (it is the client's text).
    const label = action && /^[A-Za-z]{1,64}$/.test(action) ? { label: action } : {};
    return { ...label, outcome: reply(auth.reply) };
  }
  const notFound = () =>
    error(
      404,
      'InvalidAction.NotFound',
      'Specified api is not found, please check your url and method.',
    );
  if (request.path !== '/') return notFound();
  if (!action) {
    return error(
      400,
      'MissingParameter',
      'The input parameter "x-acs-action" that is mandatory for processing this request is not supplied.',
    );
  }
  if (!version) {
    return error(
      400,
      'MissingParameter',
      'The input parameter "x-acs-version" that is mandatory for processing this request is not supplied.',
    );
  }
  const routes = ROUTES[version];
  if (!routes) return error(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
  const run = Object.hasOwn(routes, action) ? routes[action] : undefined;
  if (!run) return notFound();

  const tags = [`key=${auth.accessKeyId}`];

  const form = FORM.test(request.headers['content-type'] ?? '') ? decodeQuery(request.body) : [];
  const params = new Params([...decodeQuery(request.query), ...form], host);
  const { raw, send } = recipientsOf(action, params);
  const digits = raw.map(looseDigits);
  const recipients = digits.map((d) => `+${d}`);
  const base = { label: action, tags, ...(recipients.length > 0 ? { recipients } : {}) };

  const effect = send ? gatewayEffect(digits, state.fired) : undefined;
  const delayMs = send && isSlow(digits) ? state.slowMs : 0;
  if (effect === 'unavailable') {
    return {
      ...base,
      outcome: reply(
        gatewayError(
          503,
          'ServiceUnavailable',
          'The request has failed due to a temporary failure of the server.',
          host,
        ),
        delayMs,
      ),
    };
  }
  if (effect === 'throttled') {
    return {
      ...base,
      outcome: reply(
        gatewayError(400, 'Throttling.User', 'Request was denied due to user flow control.', host),
        delayMs,
      ),
    };
  }

  let answer: Reply;
  let accepted: AlibabaMessage[] = [];
  try {
    const result = run({ params, now, state });
    answer = result.reply;
    accepted = result.accepted;
  } catch (thrown) {
    if (!isRefused(thrown)) throw thrown;
    answer = thrown.reply;
  }
  const outcome: Outcome =
    effect === 'hang' || effect === 'reset' ? { kind: effect } : reply(answer, delayMs);
  return { ...base, outcome, accepted };
}
