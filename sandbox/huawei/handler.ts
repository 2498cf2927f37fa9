import type { WireRequest } from '../../shared/huawei/canonical.ts';
import type { Outcome } from '../common/http.ts';
import type { NonceStore } from '../common/nonces.ts';
import { accept, type MessageIds } from './accept.ts';
import { authenticate } from './auth.ts';
import { magicIn, wholeRequestEffect } from './magic.ts';
import { hasMediaType, parseFormRequest, parseJsonRequest } from './params.ts';
import {
  gatewayError,
  invalidParameter,
  notFound,
  type Reply,
  smsError,
  systemError,
} from './replies.ts';
import type { SandboxApp, SandboxMessage } from './types.ts';

export const FORM_PATH = '/sms/batchSendSms/v1';
export const JSON_PATH = '/sms/batchSendDiffSms/v1';

export type { Outcome };

export interface Handled {
  outcome: Outcome;
  appKey?: string;
  /** Recipients of a request that parsed, for the (masked) log line. */
  recipients?: string[];
  /** Messages accepted by this request, whose reports are to be pushed. */
  accepted?: SandboxMessage[];
}

/** Everything a request may read or change; owned by one sandbox instance. */
export interface SandboxState {
  apps: ReadonlyMap<string, SandboxApp>;
  allowedIps: ReadonlySet<string> | undefined;
  nonces: NonceStore;
  /** One-shot magic numbers that already fired. */
  fired: Set<string>;
  ids: MessageIds;
  messages: Map<string, SandboxMessage>;
  slowMs: number;
}

const reply = (r: Reply, delayMs = 0): Outcome => ({ kind: 'reply', reply: r, delayMs });

const ipNotWhitelisted = (): Reply =>
  smsError(403, 'E000620', 'The app client IP address is not in the whitelist.');

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) -> `127.0.0.1`. */
export function normaliseIp(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The gateway's order: find the API (path and method), authenticate, check the app's IP
 * whitelist; then the platform: magic whole-request outcomes, request-level parameter checks,
 * per-recipient decisions, and last the answer (withheld for `hang_after_accept`).
 */
export function handle(
  request: WireRequest & { body: Buffer; remoteAddress: string },
  state: SandboxState,
  now: Date,
): Handled {
  const isForm = request.path === FORM_PATH;
  if (!isForm && request.path !== JSON_PATH) return { outcome: reply(notFound(false)) };
  if (request.method !== 'POST') return { outcome: reply(notFound(true)) };

  const auth = authenticate(request, {
    lookup: (appKey) => state.apps.get(appKey)?.appSecret,
    nonces: state.nonces,
    now,
  });
  if (!auth.ok) return { outcome: reply(auth.reply) };
  const { appKey } = auth;
  const app = state.apps.get(appKey);
  if (!app) return { appKey, outcome: reply(systemError(500)) }; // unreachable: auth looked it up
  if (state.allowedIps && !state.allowedIps.has(normaliseIp(request.remoteAddress))) {
    return { appKey, outcome: reply(ipNotWhitelisted()) };
  }

  const text = request.body.toString('utf8');
  const present = magicIn(isForm ? [...new URLSearchParams(text).values()] : [text]);
  const delayMs = present.some((magic) => magic.effect === 'slow') ? state.slowMs : 0;
  switch (wholeRequestEffect(present, state.fired)) {
    case 'hang':
      return { appKey, outcome: { kind: 'hang' } };
    case 'reset':
      return { appKey, outcome: { kind: 'reset' } };
    case 'unavailable':
    case 'unavailable_once':
      // APIG documents APIG.0202 "Backend unavailable" as 502; a 503 is what a client meets when
      // the platform sheds load, so the sandbox answers 503 with the gateway's body shape.
      return {
        appKey,
        outcome: reply(gatewayError(503, 'APIG.0202', 'Backend unavailable'), delayMs),
      };
    case 'throttled':
    case 'throttled_once':
      return {
        appKey,
        outcome: reply(
          gatewayError(
            429,
            'APIG.0308',
            'The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second',
          ),
          delayMs,
        ),
      };
    case 'system_error':
      return { appKey, outcome: reply(systemError(500), delayMs) };
    case 'ip_not_whitelisted':
      return { appKey, outcome: reply(ipNotWhitelisted(), delayMs) };
    default:
      break;
  }

  const contentType = request.headers['content-type'];
  if (
    !hasMediaType(contentType, isForm ? 'application/x-www-form-urlencoded' : 'application/json')
  ) {
    const expected = isForm ? 'application/x-www-form-urlencoded' : 'application/json';
    return {
      appKey,
      outcome: reply(invalidParameter(`Content-Type must be ${expected}`), delayMs),
    };
  }
  const parsed = isForm ? parseFormRequest(text, app.senders) : parseJsonRequest(text, app.senders);
  if (!parsed.ok) return { appKey, outcome: reply(parsed.reply, delayMs) };

  const result = accept(parsed.request, now, state.ids);
  for (const message of result.accepted) state.messages.set(message.smsMsgId, message);
  // Accepted (and so sent and billed) but the answer is lost: the client cannot tell it from a
  // request that never arrived, which is why a timeout after sending is an unknown outcome.
  const answerLost = present.some((magic) => magic.effect === 'hang_after_accept');
  return {
    appKey,
    recipients: parsed.request.contents.flatMap((content) => content.to),
    accepted: result.accepted,
    outcome: answerLost ? { kind: 'hang' } : reply(result.reply, delayMs),
  };
}
