import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { isAppError } from '../errors.ts';
import type { MetricsPort } from '../ports/metrics.ts';
import type { MessageRecord } from '../store/types.ts';

/** ISO 3166 user-assigned code for "no country": an invalid or non-geographic number. */
const NO_COUNTRY = 'ZZ';

let soleCountry: Map<string, string | undefined> | undefined;

/**
 * Calling code -> its country when only one country has it (+65 SG, +86 CN), undefined when
 * several share it (+1, +7, +44...). Built once, from the metadata already bundled.
 */
function soleCountries(): Map<string, string | undefined> {
  if (soleCountry) return soleCountry;
  soleCountry = new Map();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    soleCountry.set(code, soleCountry.has(code) ? undefined : country);
  }
  return soleCountry;
}

/**
 * The ISO 3166 alpha-2 country of an E.164 number, `ZZ` when it has none. A calling code only one
 * country has needs no parse (calling codes are prefix-free); a shared one is parsed (about
 * 25 µs a number), since only the national number tells +1 US from +1 CA.
 */
export function countryOf(number: string): string {
  const codes = soleCountries();
  for (let length = 1; length <= 3; length++) {
    const code = number.slice(1, 1 + length);
    if (!codes.has(code)) continue;
    return codes.get(code) ?? parsePhoneNumberFromString(number)?.country ?? NO_COUNTRY;
  }
  return NO_COUNTRY;
}

/**
 * `MessagesSubmitted`: one per message record written with its outcome, by `provider` (`none`
 * for a number refused before any provider) and `status`, and by `country`.
 */
export function countSubmitted(
  metrics: MetricsPort | undefined,
  records: readonly MessageRecord[],
): void {
  if (!metrics || records.length === 0) return;
  const counts = new Map<string, number>();
  for (const record of records) {
    const key = JSON.stringify([record.provider, record.status, countryOf(record.to)]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) {
    const [provider, status, country] = JSON.parse(key) as [string, string, string];
    metrics.count('MessagesSubmitted', count, { provider, status }, { country });
  }
}

/** `ProviderErrors`: one per provider request that failed as a whole, by `provider` and `code`. */
export function countProviderError(
  metrics: MetricsPort | undefined,
  provider: string,
  error: unknown,
): void {
  metrics?.count('ProviderErrors', 1, {
    provider,
    code: isAppError(error) ? error.code : 'internal',
  });
}
