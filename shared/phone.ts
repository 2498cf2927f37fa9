import { isValidPhoneNumber } from 'libphonenumber-js/min';

const E164 = /^\+[1-9]\d{6,14}$/;

/** True for a strict E.164 number (`+` and digits only) that is valid for its country. */
export function isE164(value: string): boolean {
  return E164.test(value) && isValidPhoneNumber(value);
}

/** `+6591234567` → `+65****4567`: enough to tell numbers apart in logs, never the whole number. */
export function maskPhone(value: string): string {
  if (value.length < 8) return '****';
  return `${value.slice(0, 3)}****${value.slice(-4)}`;
}
