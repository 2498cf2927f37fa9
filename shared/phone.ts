// One metadata set for the whole service: `max` knows number types, which the destination policy
// needs, and is smaller than `min` plus `mobile` (bench:coldstart; README "Abuse controls").
import { isValidPhoneNumber } from 'libphonenumber-js/max';

const E164 = /^\+[1-9]\d{6,14}$/;

/** True for a strict E.164 number (`+` and digits only) that is valid for its country. */
export function isE164(value: string): boolean {
  return E164.test(value) && isValidPhoneNumber(value);
}

/** True for the E.164 shape alone (`+`, 7-15 digits): no metadata, so no bundle cost. */
export function isE164Syntax(value: string): boolean {
  return E164.test(value);
}

/**
 * `+6591234567` → `+65****4567`: enough to tell numbers apart in logs, never the whole number.
 * Short numbers show less, so at least half of the digits are always hidden.
 */
export function maskPhone(value: string): string {
  const digits = value.length - 1;
  if (digits >= 10) return `${value.slice(0, 3)}****${value.slice(-4)}`;
  if (digits >= 7) return `${value.slice(0, 2)}****${value.slice(-2)}`;
  return '****';
}

/**
 * Caller text for a log (a `templateId`, a `reference`): any run of 8 or more digits, with or
 * without `+`, could be someone's number, so only its last 4 digits are kept (`order-****4567`).
 * Ids like Huawei's 32-hex template ids keep their shape: their digit runs are short.
 */
export function maskNumbersIn(value: string | undefined): string | undefined {
  return value?.replace(/\+?\d{8,}/g, (run) => `****${run.slice(-4)}`);
}
