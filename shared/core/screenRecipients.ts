import { AppError } from '../errors.ts';
import { type AllowedCountries, destinationProblem } from '../policy/destination.ts';
import type { RecipientOutcome } from '../ports/provider.ts';

/** The numbers of a list that may be sent to, and the outcome of each that may not. */
export interface Screened {
  /** Positions (in the list) of the numbers that may be sent to, in order. */
  sendable: number[];
  /** Refused numbers by position: never given to a provider. */
  refused: Map<number, RecipientOutcome>;
}

/**
 * Applies the destination policy (SPEC "Abuse controls") before any provider sees a number: a
 * refused one is `rejected` with `destination_not_allowed`. A request of one number that is
 * refused is a `400` naming it at `path[0]`, like any other invalid recipient.
 */
export function screenRecipients(
  numbers: readonly string[],
  allowed: AllowedCountries,
  path: string,
  /** A list of one refused number is a `400` (POST /sms), not a `rejected` entry (a batch group). */
  refuseAlone = true,
): Screened {
  const sendable: number[] = [];
  const refused = new Map<number, RecipientOutcome>();
  numbers.forEach((number, position) => {
    const problem = destinationProblem(number, allowed);
    if (problem === undefined) sendable.push(position);
    else
      refused.set(position, {
        to: number,
        status: 'rejected',
        error: { code: 'destination_not_allowed', message: `the number ${problem}` },
      });
  });
  if (refuseAlone && numbers.length === 1 && refused.size === 1) {
    const outcome = refused.get(0);
    throw new AppError('invalid_request', 'The recipient may not be sent to', {
      details: [
        {
          path: `${path}[0]`,
          message: outcome?.status === 'rejected' ? outcome.error.message : 'may not be sent to',
          code: 'destination_not_allowed',
        },
      ],
    });
  }
  return { sendable, refused };
}
