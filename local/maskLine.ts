import { maskPhone } from '../shared/phone.ts';

/**
 * A line of serverless-offline's output without whole phone numbers: request paths carry them
 * (`GET /opt-outs/+6591234567`, or `%2B6591234567` as sent). Numbers after `+` or `%2B`, and
 * free-standing runs of 8-15 digits, keep what maskPhone keeps; digits inside ids (a request id's
 * hex groups) are left alone.
 */
export function maskLine(line: string): string {
  return line
    .replace(/(\+|%2[Bb])(\d{7,15})(?!\d)/g, (_match, plus: string, digits: string) =>
      maskPhone(`+${digits}`).replace('+', plus),
    )
    .replace(/(?<![\w-])\d{8,15}(?![\w-])/g, (digits) => maskPhone(`+${digits}`).slice(1));
}
