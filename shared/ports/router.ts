import type { SmsProvider } from './provider.ts';

/** Picks the provider that carries each number (SPEC "Routing"), built from configuration. */
export interface Router {
  /** The provider for one E.164 number; undefined when no route matches it (and there is no `*`). */
  route(number: string): SmsProvider | undefined;
}
