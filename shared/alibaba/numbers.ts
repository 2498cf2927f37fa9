/**
 * Number forms. Our numbers are E.164. The 2017 API gets the national 11 digits (one of its
 * documented forms): its receipts (`phone_number`) and QuerySendDetails speak that form, so
 * sending it too makes the tracking id built at submit and the one rebuilt from a receipt the
 * same string with no guessing. The 2018 API gets country code + number without `+`.
 */

const MAINLAND_MOBILE = /^\+861\d{10}$/;

/** True for a Chinese-mainland number (+86): the 2017-05-25 API carries it. */
export function isMainland(e164: string): boolean {
  return e164.startsWith('+86');
}

/** `+8613800138000` → `13800138000`; undefined for a +86 number that is not an 11-digit mobile. */
export function mainlandNational(e164: string): string | undefined {
  return MAINLAND_MOBILE.test(e164) ? e164.slice(3) : undefined;
}

/**
 * A +86 number that is not an 11-digit mobile is refused here: 2017 SendSms answers once for the
 * whole request, so one such number would (we assume) refuse every other number with it.
 */
export const NOT_A_MAINLAND_MOBILE = {
  code: 'isv.MOBILE_NUMBER_ILLEGAL',
  message: 'not a Chinese-mainland mobile number (refused before sending)',
};

/** `+6591234567` → `6591234567`, the 2018-05-01 `To`. */
export function globeNumber(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** A receipt's `phone_number` in the national form, whichever documented form it came in. */
export function nationalFromReceipt(phone: string): string {
  const digits = phone.trim().replace(/^\+/, '');
  if (/^0086\d{11}$/.test(digits)) return digits.slice(4);
  if (/^86\d{11}$/.test(digits)) return digits.slice(2);
  return digits;
}

/**
 * What finds a 2017 message: one `BizId` covers every number of a request, so a message is
 * `BizId` + national number (`900619746936498440^0:13800138000`).
 */
export function mainlandTrackingId(bizId: string, national: string): string {
  return `${bizId}:${national}`;
}

/** `+6591234567` → `+65****4567`: enough for logs and messages, never the whole number. */
export function maskNumber(value: string): string {
  return value.length <= 7 ? '****' : `${value.slice(0, 3)}****${value.slice(-4)}`;
}

/** Masks any long digit run in a provider's text (it may echo numbers) before it is kept. */
export function redactDigits(text: string): string {
  return text.replace(/\+?\d{7,}/g, (run) => maskNumber(run));
}
