import type { DeliveryOutcome } from './types.ts';

/**
 * Magic recipient numbers of the Alibaba sandbox: each picks an outcome other than "accepted,
 * then delivered after the delay". Mainland ones are `+86 138 0013 90xx` (send them with the
 * 2017-05-25 API), international ones `+852 6123 00xx` (either API); the same two last digits mean
 * the same thing in both ranges. All are valid mobile numbers under libphonenumber, so the relay's
 * own checks let them through.
 */
export type MagicEffect =
  | 'hang'
  | 'reset'
  | 'unavailable'
  | 'throttled_once'
  | 'slow'
  | 'refuse'
  | 'business_limit'
  | 'amount_not_enough'
  | 'delivery';

export interface MagicNumber {
  /** E.164. */
  number: string;
  effect: MagicEffect;
  /** Receipt outcome for `delivery`; accepted normally at submit. */
  delivery?: DeliveryOutcome;
  description: string;
}

const MAINLAND = '+86138001390';
const INTERNATIONAL = '+852612300';

/** The outcomes, by the number's last two digits. */
const OUTCOMES: ReadonlyArray<Omit<MagicNumber, 'number'> & { suffix: string }> = [
  {
    suffix: '00',
    effect: 'hang',
    description:
      'The request is processed (accepted, receipts follow) but never answered: the socket stays open until the client gives up.',
  },
  {
    suffix: '01',
    effect: 'reset',
    description:
      'The request is processed (accepted, receipts follow), then the connection is reset (TCP RST) without an answer.',
  },
  {
    suffix: '02',
    effect: 'unavailable',
    description: 'HTTP 503 gateway error `ServiceUnavailable` every time; nothing is sent.',
  },
  {
    suffix: '03',
    effect: 'throttled_once',
    description:
      'HTTP 400 gateway error `Throttling.User` the first time a request carries it (nothing sent), then normal answers: a retry succeeds.',
  },
  {
    suffix: '04',
    effect: 'slow',
    description: 'Answers normally, but only after `slowMs` (default 3 s).',
  },
  {
    suffix: '05',
    effect: 'refuse',
    description:
      'The whole request is refused with `isv.MOBILE_NUMBER_ILLEGAL` (2018-05-01: `MOBILE_NUMBER_ILLEGAL`); nothing is sent.',
  },
  {
    suffix: '06',
    effect: 'business_limit',
    description:
      'Flow control: `isv.BUSINESS_LIMIT_CONTROL` for the whole request (2018-05-01: `BUSINESS_LIMIT_CONTROL`; in BatchSendMessageToGlobe only this number goes to `FailedList`).',
  },
  {
    suffix: '07',
    effect: 'amount_not_enough',
    description:
      'The whole request is refused with `isv.AMOUNT_NOT_ENOUGH` (2018-05-01: `AMOUNT_NOT_ENOUGH`); nothing is sent.',
  },
  {
    suffix: '10',
    effect: 'delivery',
    delivery: 'undelivered',
    description:
      'Accepted, then a failed receipt: mainland `success:false`, `err_code` `MN:0001`; international `Status` 2, `ErrorCode` `UNDELIV`.',
  },
  {
    suffix: '11',
    effect: 'delivery',
    delivery: 'expired',
    description:
      'Accepted, then expired: international `Status` 6, `ErrorCode` `EXPIRED`; mainland `success:false`, `err_code` `EXPIRED`.',
  },
  {
    suffix: '12',
    effect: 'delivery',
    delivery: 'duplicate',
    description: 'Accepted, delivered, and the same receipt pushed twice (300 ms apart).',
  },
  {
    suffix: '13',
    effect: 'delivery',
    delivery: 'never',
    description:
      'Accepted and delivered, but no receipt is ever pushed: only the query APIs tell (delivered after the delay).',
  },
];

export const MAGIC_NUMBERS: readonly MagicNumber[] = [MAINLAND, INTERNATIONAL].flatMap((prefix) =>
  OUTCOMES.map(({ suffix, ...outcome }) => ({ number: `${prefix}${suffix}`, ...outcome })),
);

const BY_DIGITS = new Map(MAGIC_NUMBERS.map((magic) => [magic.number.slice(1), magic]));

/** The magic number with these digits (country code and number), if any. */
export function magicOf(digits: string): MagicNumber | undefined {
  return BY_DIGITS.get(digits);
}

/** Whole-request effects in the order they win when a request holds several. */
const GATEWAY_PRIORITY: readonly MagicEffect[] = ['hang', 'reset', 'unavailable', 'throttled_once'];
const BUSINESS_PRIORITY: readonly MagicEffect[] = ['refuse', 'amount_not_enough', 'business_limit'];

/**
 * The gateway-level effect for a request's numbers (before parameter checks). `throttled_once`
 * fires once per number per sandbox (until reset): `fired` remembers it.
 */
export function gatewayEffect(
  digits: readonly string[],
  fired: Set<string>,
): 'hang' | 'reset' | 'unavailable' | 'throttled' | undefined {
  const present = digits.map(magicOf).filter((magic) => magic !== undefined);
  for (const effect of GATEWAY_PRIORITY) {
    const match = present.find((magic) => magic.effect === effect);
    if (!match) continue;
    if (effect === 'throttled_once') {
      if (fired.has(match.number)) continue;
      fired.add(match.number);
      return 'throttled';
    }
    return effect as 'hang' | 'reset' | 'unavailable';
  }
  return undefined;
}

/** Whether any of the numbers is the slow one. */
export function isSlow(digits: readonly string[]): boolean {
  return digits.some((d) => magicOf(d)?.effect === 'slow');
}

/** The business refusal the numbers call for (after parameter checks), if any. */
export function businessEffect(
  digits: readonly string[],
): 'refuse' | 'amount_not_enough' | 'business_limit' | undefined {
  const effects = new Set(digits.map((d) => magicOf(d)?.effect));
  return BUSINESS_PRIORITY.find((effect) => effects.has(effect)) as
    | 'refuse'
    | 'amount_not_enough'
    | 'business_limit'
    | undefined;
}

/** How an accepted number's delivery goes: its magic outcome, else `delivered`. */
export function deliveryOf(digits: string): DeliveryOutcome {
  return magicOf(digits)?.delivery ?? 'delivered';
}
