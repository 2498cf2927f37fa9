import { DELIVERY_NUMBERS, type DeliveryOutcome } from './deliveryNumbers.ts';

export type { DeliveryOutcome };

/**
 * Magic recipient numbers: each picks an outcome other than plain acceptance (or, for `delivery`,
 * other than a plain `DELIVRD` report). All are valid Singapore mobile numbers, so the relay's own
 * validation lets them through.
 */
export type MagicEffect =
  | 'hang'
  | 'reset'
  | 'unavailable'
  | 'unavailable_once'
  | 'throttled'
  | 'throttled_once'
  | 'system_error'
  | 'ip_not_whitelisted'
  | 'slow'
  | 'hang_after_accept'
  | 'reject'
  | 'delivery';

export interface MagicNumber {
  number: string;
  effect: MagicEffect;
  /** Per-recipient status for `reject`. */
  status?: string;
  /** Report outcome for `delivery`; accepted normally at submit. */
  delivery?: DeliveryOutcome;
  description: string;
}

export const MAGIC_NUMBERS: readonly MagicNumber[] = [
  {
    number: '+6590000999',
    effect: 'hang',
    description:
      'Reads the request, then never answers; the socket stays open until the client gives up.',
  },
  {
    number: '+6590000888',
    effect: 'reset',
    description: 'Reads the request, then resets the connection (TCP RST) without an answer.',
  },
  {
    number: '+6590005030',
    effect: 'unavailable',
    description: 'HTTP 503 (gateway-style body) every time.',
  },
  {
    number: '+6590005031',
    effect: 'unavailable_once',
    description: 'HTTP 503 the first time a request containing it arrives, then normal answers.',
  },
  {
    number: '+6590004290',
    effect: 'throttled',
    description: 'HTTP 429 APIG.0308 (throttled) every time.',
  },
  {
    number: '+6590004291',
    effect: 'throttled_once',
    description: 'HTTP 429 APIG.0308 the first time, then normal answers.',
  },
  {
    number: '+6590000500',
    effect: 'system_error',
    description: 'HTTP 500 {"code":"E000000"} system error.',
  },
  {
    number: '+6590000620',
    effect: 'ip_not_whitelisted',
    description: 'HTTP 403 E000620: the client IP is not in the app whitelist.',
  },
  {
    number: '+6590000998',
    effect: 'slow',
    description: 'Answers normally, but only after `slowMs` (default 3 s).',
  },
  {
    number: '+6590000997',
    effect: 'hang_after_accept',
    description:
      'Accepted like any number (smsMsgId assigned, DELIVRD pushed after the delivery delay), but ' +
      'the answer never comes: the socket is held like +6590000999 until the client gives up.',
  },
  {
    number: '+6590000041',
    effect: 'reject',
    status: 'E200041',
    description: 'This recipient is refused with E200041 (duplicate number); others are accepted.',
  },
  {
    number: '+6590000015',
    effect: 'reject',
    status: 'E200015',
    description: 'This recipient is refused with E200015 (too many pending); others are accepted.',
  },
  {
    number: '+6590000028',
    effect: 'reject',
    status: 'E200028',
    description:
      'This recipient is refused with E200028 (template variables); others are accepted.',
  },
  ...DELIVERY_NUMBERS.map((entry) => ({ ...entry, effect: 'delivery' as const })),
];

/** Whole-request effects in the order they win when a request holds several. */
const PRIORITY: readonly MagicEffect[] = [
  'hang',
  'reset',
  'unavailable',
  'unavailable_once',
  'throttled',
  'throttled_once',
  'system_error',
  'ip_not_whitelisted',
];

/** The magic numbers present anywhere in the given request texts (decoded field values or JSON). */
export function magicIn(texts: readonly string[]): MagicNumber[] {
  return MAGIC_NUMBERS.filter((magic) => texts.some((text) => text.includes(magic.number)));
}

/**
 * The whole-request effect that applies, if any. One-shot numbers fire once per sandbox (until
 * reset): `fired` remembers them.
 */
export function wholeRequestEffect(
  present: readonly MagicNumber[],
  fired: Set<string>,
): MagicEffect | undefined {
  for (const effect of PRIORITY) {
    const match = present.find((magic) => magic.effect === effect);
    if (!match) continue;
    if (effect === 'unavailable_once' || effect === 'throttled_once') {
      if (fired.has(match.number)) continue;
      fired.add(match.number);
    }
    return effect;
  }
  return undefined;
}

/** The per-recipient status a magic number forces, if any. */
export function magicRecipientStatus(number: string): string | undefined {
  return MAGIC_NUMBERS.find((magic) => magic.effect === 'reject' && magic.number === number)
    ?.status;
}

/** How reports for an accepted recipient go: its magic delivery outcome, else `delivered`. */
export function magicDeliveryOutcome(number: string): DeliveryOutcome {
  return (
    MAGIC_NUMBERS.find((magic) => magic.effect === 'delivery' && magic.number === number)
      ?.delivery ?? 'delivered'
  );
}
