import type { Log } from '../logger.ts';
import { optOutIntent } from '../optOut/keywords.ts';
import { replyNumber } from '../optOut/replyNumber.ts';
import { maskPhone } from '../phone.ts';
import type { InboundMessage } from '../ports/push.ts';
import type { OptOutStore } from '../store/optOuts.ts';

/** How far back a reply's own time is believed (as for reports: older is a broken clock). */
const PAST_MS = 30 * 86_400_000;

/**
 * When the phone sent the reply: its `createdAt` when sane, never later than its arrival (a
 * provider clock running ahead would otherwise date a STOP after the START that follows it).
 */
function replyTime(message: InboundMessage, receivedAt: Date): string {
  const at = message.createdAt === undefined ? Number.NaN : Date.parse(message.createdAt);
  const now = receivedAt.getTime();
  if (!Number.isFinite(at) || at < now - PAST_MS) return receivedAt.toISOString();
  return new Date(Math.min(at, now)).toISOString();
}

/**
 * Applies a stored reply's keyword (SPEC "Abuse controls"): a STOP word opts its sender out, START
 * or UNSTOP back in; any other reply changes nothing. Both are idempotent, so a reply pushed again
 * (after a failure, or a duplicate) is applied again safely. Replies may arrive out of order: a
 * START removes only an opt-out dated no later than itself, and a STOP always applies, so every
 * race ends opted out (never sending to someone who said STOP), and another START fixes it.
 */
export async function applyOptOut(
  message: InboundMessage,
  receivedAt: Date,
  deps: { optOuts: OptOutStore; log: Log },
): Promise<void> {
  const intent = optOutIntent(message.body);
  if (intent === undefined) return;
  const fields = { provider: message.provider, providerMessageId: message.providerMessageId };
  const number = replyNumber(message.from);
  if (number === undefined) {
    deps.log.warn('opt-out reply ignored: the sender is not an E.164 number', {
      ...fields,
      from: maskPhone(message.from),
      intent,
    });
    return;
  }
  const at = replyTime(message, receivedAt);
  if (intent === 'out') {
    const { changed } = await deps.optOuts.put(number, {
      since: at,
      source: `reply:${message.provider}`,
    });
    deps.log.info('opted out by reply', { ...fields, number: maskPhone(number), changed });
  } else {
    const changed = await deps.optOuts.remove(number, { notAfter: at });
    deps.log.info('opted in by reply', { ...fields, number: maskPhone(number), changed });
  }
}
