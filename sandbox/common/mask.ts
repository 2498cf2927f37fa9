import { maskPhone } from '../../shared/phone.ts';

export { maskPhone };

/** At most five numbers, masked, then how many more: `+65****4567,+65****5432 (+3 more)`. */
export function maskList(numbers: readonly string[], shown = 5): string {
  const head = numbers.slice(0, shown).map(maskPhone).join(',');
  return numbers.length > shown ? `${head} (+${numbers.length - shown} more)` : head;
}
