import { post } from '../common/post.ts';
import { formatCreateTime, MessageIds } from './accept.ts';
import { pushHeaders } from './pushAuth.ts';
import type { PushKey } from './types.ts';

export interface UplinkOptions {
  /** The app's uplink (MO) callback URL. */
  url: string;
  /** The phone that replied, e.g. `+6591234567`. */
  from: string;
  /** The channel number it replied to. */
  to: string;
  /** The reply text (Huawei: at most 160 characters; not enforced, so tests can go beyond). */
  body: string;
  /** Signs the push like a status report. */
  pushKey?: PushKey;
  /** Default: a fresh `<uuid>_<n>`. */
  smsMsgId?: string;
  /** The reply's `createTime`; default `at`. */
  createTime?: Date;
  /** Signing time; default now. */
  at?: Date;
  /** Default 5000 ms. */
  timeoutMs?: number;
}

export interface UplinkResult {
  status: number;
  /** The response body (truncated at 64 KiB). */
  text: string;
  smsMsgId: string;
  /** Exactly what was sent. */
  sent: { body: string; headers: Record<string, string> };
}

const ids = new MessageIds();

/**
 * Pushes one uplink (a reply from a phone) the way Huawei does: form-urlencoded `smsMsgId`,
 * `from`, `to`, `body`, `createTime`, signed with the pushing key when one is given.
 * Rejects only when no HTTP answer came.
 */
export async function pushUplink(options: UplinkOptions): Promise<UplinkResult> {
  const at = options.at ?? new Date();
  const smsMsgId = options.smsMsgId ?? ids.next();
  const body = new URLSearchParams({
    smsMsgId,
    from: options.from,
    to: options.to,
    body: options.body,
    createTime: formatCreateTime(options.createTime ?? at),
  }).toString();
  const headers = pushHeaders(
    options.url,
    body,
    'application/x-www-form-urlencoded',
    options.pushKey,
    at,
  );
  const result = await post(options.url, headers, body, { timeoutMs: options.timeoutMs ?? 5000 })
    .result;
  if ('error' in result) throw new Error(`uplink push failed: ${result.error}`);
  return { status: result.status, text: result.text, smsMsgId, sent: { body, headers } };
}
