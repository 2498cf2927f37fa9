/** `+6591234567` -> `+65****4567`: enough to tell numbers apart in a log, not enough to dial. */
export function maskPhone(number: string): string {
  if (number.length <= 7) return '****';
  return `${number.slice(0, 3)}****${number.slice(-4)}`;
}
