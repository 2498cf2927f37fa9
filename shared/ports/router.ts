import type { SmsProvider } from './provider.ts';

/** Picks the provider that carries each number (SPEC "Routing"), built from configuration. */
export interface Router {
  /** The provider for one E.164 number; throws `configuration_invalid` when no route matches. */
  route(number: string): SmsProvider;
}
