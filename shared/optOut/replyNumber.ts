import { isE164Syntax } from '../phone.ts';

/**
 * The E.164 number a reply came from, or undefined when `from` cannot be one. Huawei writes
 * `+6591234567`; gateways that drop the `+` write the same digits, or prefix `00`, and some
 * group digits with spaces or dashes. Only the E.164 shape is checked, not the country's
 * metadata: a number that is not valid for its country is never sent to anyway, and the metadata
 * would add ~200 KB to the callback's bundle.
 */
export function replyNumber(from: string): string | undefined {
  const compact = from.replace(/[\s\-().]/gu, '');
  const international = compact.startsWith('+')
    ? compact
    : compact.startsWith('00')
      ? `+${compact.slice(2)}`
      : `+${compact}`;
  return isE164Syntax(international) ? international : undefined;
}
