import { ProviderError } from '../errors.ts';
import type { RecipientOutcome } from '../ports/provider.ts';
import { describeHuaweiCode, huaweiCode } from './codes.ts';

/** An HTTP answer from Huawei, body as text. */
export interface HuaweiHttpResponse {
  status: number;
  body: string;
}

interface ResultEntry {
  originTo?: unknown;
  smsMsgId?: unknown;
  status?: unknown;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Code and text of a request-level error, from either Huawei's or the API gateway's shape. */
function errorOf(body: Record<string, unknown> | undefined): { code?: string; text?: string } {
  if (!body) return {};
  const code = body.code ?? body.error_code;
  const text = body.description ?? body.error_msg;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof text === 'string' ? { text } : {}),
  };
}

function recipientOutcomes(
  entries: readonly ResultEntry[],
  recipients: readonly string[],
): RecipientOutcome[] {
  // Match by number, not position: nothing in Huawei's docs promises the result order.
  const byNumber = new Map<string, ResultEntry[]>();
  for (const entry of entries) {
    if (typeof entry.originTo !== 'string') continue;
    const list = byNumber.get(entry.originTo) ?? [];
    list.push(entry);
    byNumber.set(entry.originTo, list);
  }
  return recipients.map((to): RecipientOutcome => {
    const entry = byNumber.get(to)?.shift();
    if (!entry) return { to, status: 'unknown' };
    const status = typeof entry.status === 'string' ? entry.status : '';
    if (status === '000000') {
      // Accepted without an id to follow it by: taken (and billed), but untrackable.
      if (typeof entry.smsMsgId !== 'string' || entry.smsMsgId === '')
        return { to, status: 'unknown' };
      return { to, status: 'accepted', providerMessageId: entry.smsMsgId };
    }
    const code = status || 'E000000';
    return { to, status: 'rejected', error: { code, message: describeHuaweiCode(code).meaning } };
  });
}

/**
 * Reads a `batchSendSms`/`batchSendDiffSms` answer: per-recipient outcomes for `000000` and
 * `E000510`, a ProviderError for anything refusing the whole request.
 */
export function parseSendResponse(
  response: HuaweiHttpResponse,
  recipients: readonly string[],
): RecipientOutcome[] {
  const body = parseJson(response.body);
  const { code, text } = errorOf(body);
  if (
    response.status === 200 &&
    (code === '000000' || code === 'E000510') &&
    Array.isArray(body?.result)
  ) {
    return recipientOutcomes(body.result as ResultEntry[], recipients);
  }
  if (response.status >= 200 && response.status < 300) {
    // An explicit error code is a refusal; anything else unreadable may still mean "accepted"
    // (and billed), so its outcome is unknown.
    if (code?.startsWith('E')) throw requestError(400, code, text);
    throw new ProviderError(
      'provider_timeout',
      `Huawei answered HTTP ${response.status} in a form this service cannot read; the messages may have been accepted`,
      {
        outcome: 'unknown',
        ...(code ? { providerCode: code } : {}),
        providerMessage: response.body.slice(0, 500),
      },
    );
  }
  throw requestError(response.status, code, text);
}

/** Maps a whole-request failure to SPEC's error model. */
export function requestError(
  status: number,
  code: string | undefined,
  text: string | undefined,
): ProviderError {
  const entry = code ? describeHuaweiCode(code) : undefined;
  const what = code ? `${code}: ${entry?.meaning}` : `HTTP ${status}`;
  const options = {
    ...(code ? { providerCode: code } : {}),
    // The gateway's text (APIG.0303 carries its canonical request) is for operators' logs only.
    ...(text ? { providerMessage: text } : {}),
    outcome: 'not_sent' as const,
  };
  if (status === 429)
    return new ProviderError('rate_limited', `Huawei is throttling requests (${what})`, options);
  // A gateway timeout: the platform behind it may have received the request.
  if (status === 504) {
    return new ProviderError(
      'provider_timeout',
      `Huawei's gateway timed out (${what}); the messages may have been accepted`,
      { ...options, outcome: 'unknown' },
    );
  }
  if (status >= 500) {
    return new ProviderError('provider_unavailable', `Huawei is unavailable (${what})`, options);
  }
  if (status === 404) {
    return new ProviderError(
      'provider_rejected',
      `Huawei has no such API at this address (${what}): check HUAWEI_SMS_ENDPOINT`,
      options,
    );
  }
  // A code we know decides; an unknown one on a 401 is treated as an authentication failure.
  const known = code ? huaweiCode(code) : undefined;
  const auth = known ? known.auth === true : status === 401;
  return new ProviderError('provider_rejected', `Huawei refused the request (${what})`, {
    ...options,
    authFailure: auth,
  });
}
