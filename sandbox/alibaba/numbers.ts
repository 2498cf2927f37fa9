import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A mainland mobile number as Alibaba writes it: 11 digits, `1[3-9]` first. */
const MAINLAND = /^1[3-9]\d{9}$/;

/** A recipient as the sandbox keeps it. */
export interface Recipient {
  /** Country code and number, digits only: `8613800138000`. */
  number: string;
  /** As Alibaba writes it back (receipts, queries): 11 national digits for the mainland. */
  phoneNumber: string;
  mainland: boolean;
}

/**
 * Country code and number, digits only, when libphonenumber holds them valid (the relay's own
 * test, so the sandbox never refuses what the relay lets through).
 */
function international(digits: string): Recipient | undefined {
  if (!/^[1-9]\d{6,14}$/.test(digits) || digits.startsWith('86')) return undefined;
  return parsePhoneNumberFromString(`+${digits}`)?.isValid()
    ? { number: digits, phoneNumber: digits, mainland: false }
    : undefined;
}

/**
 * A 2017-05-25 number (`PhoneNumbers`, `PhoneNumberJson`, `PhoneNumber`): mainland as
 * `13800138000`, `+8613800138000`, `8613800138000` or `008613800138000`; elsewhere country code and
 * number (`85261230010`; a leading `+` or `00` is tolerated). Undefined when malformed.
 */
export function parseDysmsNumber(raw: string): Recipient | undefined {
  const value = raw.trim();
  const digits = value.replace(/^(\+|00)/, '');
  if (!/^\d+$/.test(digits)) return undefined;
  const national = MAINLAND.test(digits)
    ? digits
    : digits.startsWith('86') && MAINLAND.test(digits.slice(2))
      ? digits.slice(2)
      : undefined;
  if (national !== undefined) {
    // A bare `+` or `00` before 11 national digits is not a country code.
    if (digits === national && digits !== value) return undefined;
    return { number: `86${national}`, phoneNumber: national, mainland: true };
  }
  return international(digits);
}

/**
 * A 2018-05-01 `To`: country code and number, digits only (no `+`). `mainland` when it is a
 * Chinese-mainland number (which SendMessageToGlobe refuses); undefined when malformed.
 */
export function parseGlobeNumber(raw: string): Recipient | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  if (raw.startsWith('86') && MAINLAND.test(raw.slice(2))) {
    return { number: raw, phoneNumber: raw, mainland: true };
  }
  return international(raw);
}

/**
 * The digits a magic number is known by, from anything that looks like a number, valid or not
 * (whole-request outcomes come before parameter checks).
 */
export function looseDigits(raw: string): string {
  const digits = raw.trim().replace(/^(\+|00)/, '');
  return MAINLAND.test(digits) ? `86${digits}` : digits;
}

/** ISO 3166 region of a number, if libphonenumber knows it. */
export function regionOf(number: string): string | undefined {
  return parsePhoneNumberFromString(`+${number}`)?.country;
}

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region' });

/** `{Carrier, Country, Region}` as far as the sandbox can tell (it knows no carriers). */
export function numberDetail(number: string) {
  const region = regionOf(number);
  return {
    Carrier: 'Sandbox Mobile',
    Country: region ? (REGIONS.of(region) ?? region) : 'Unknown',
    Region: region ?? '',
  };
}
