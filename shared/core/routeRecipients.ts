import { AppError, type ErrorDetail } from '../errors.ts';
import type { SmsProvider } from '../ports/provider.ts';
import type { Router } from '../ports/router.ts';

/** The numbers of one list that go to one provider, with their positions in the list. */
export interface Routed {
  provider: SmsProvider;
  positions: number[];
  to: string[];
}

/**
 * Groups numbers by the provider that carries them, first-seen order, positions kept. A number no
 * route covers (SMS_ROUTES without `*`) is refused with the request, before anything is sent:
 * `400` naming it at `path[position]`.
 */
export function routeRecipients(
  router: Router,
  numbers: readonly string[],
  path = 'to',
  /** Where each number sits in the request (default: its index in `numbers`). */
  positionsInRequest?: readonly number[],
): Routed[] {
  const byName = new Map<string, Routed>();
  const unrouted: ErrorDetail[] = [];
  numbers.forEach((number, index) => {
    const position = positionsInRequest?.[index] ?? index;
    const provider = router.route(number);
    if (!provider) {
      unrouted.push({
        path: `${path}[${position}]`,
        message: 'no provider is configured for this number (SMS_ROUTES has no matching prefix)',
      });
      return;
    }
    let routed = byName.get(provider.name);
    if (!routed) {
      routed = { provider, positions: [], to: [] };
      byName.set(provider.name, routed);
    }
    routed.positions.push(position);
    routed.to.push(number);
  });
  if (unrouted.length > 0) {
    throw new AppError('invalid_request', 'Some recipients cannot be routed to a provider', {
      details: unrouted,
    });
  }
  return [...byName.values()];
}

/**
 * Refuses, before anything is sent, what a routed provider cannot carry: `400
 * template_not_available` when a template is missing for a provider, else `400 invalid_request`.
 */
export function throwIfProblems(details: readonly ErrorDetail[]): void {
  if (details.length === 0) return;
  const missing = details.some((detail) => detail.code === 'template_not_available');
  throw new AppError(
    missing ? 'template_not_available' : 'invalid_request',
    missing
      ? 'The template is not available for the provider some recipients are routed to'
      : 'The request is invalid',
    { details: [...details] },
  );
}
