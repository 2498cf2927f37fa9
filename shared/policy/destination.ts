import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Calling codes that are never a person's phone, whatever their metadata says: UIFN freephone and
 * shared-cost (+800, +808), Inmarsat (+870) and Iridium-style satellite (+881, which the metadata
 * calls MOBILE), international networks (+882, +883, VOIP) and international premium rate (+979).
 * They are where SMS-pumping fraud sends its traffic.
 */
const DENIED_CODES = new Set(['800', '808', '870', '881', '882', '883', '979']);

/** The only number types SMS goes to: mobiles, and the plans that cannot tell them apart (+1). */
const SENDABLE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/** `SMS_ALLOWED_COUNTRIES`: `*`, or the ISO 3166 alpha-2 codes numbers may belong to. */
export type AllowedCountries = '*' | readonly string[];

/**
 * Why a number may not be sent to (SPEC "Abuse controls"), or undefined when it may: only mobile
 * numbers of an allowed country. Premium-rate, shared-cost, toll-free, VoIP, satellite and other
 * non-mobile numbers are refused whatever `allowed` says. Pure.
 */
export function destinationProblem(number: string, allowed: AllowedCountries): string | undefined {
  const parsed = parsePhoneNumberFromString(number);
  if (!parsed?.isValid()) return 'is not a valid phone number';
  if (DENIED_CODES.has(parsed.countryCallingCode)) {
    return `+${parsed.countryCallingCode} numbers (satellite, international networks, freephone, premium rate) are never sent to`;
  }
  const type = parsed.getType();
  if (!type || !SENDABLE_TYPES.has(type)) {
    return `is not a mobile number (${(type ?? 'unknown type').toLowerCase().replaceAll('_', ' ')}): SMS goes to mobiles only`;
  }
  if (allowed !== '*' && !(parsed.country && allowed.includes(parsed.country))) {
    return `is in a country this service does not send to (${parsed.country ?? 'none'}; SMS_ALLOWED_COUNTRIES)`;
  }
  return undefined;
}
