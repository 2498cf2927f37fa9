import { type Breaker, createBreaker } from '../core/breaker.ts';
import { ConfigError } from '../errors.ts';
import type { SmsProvider } from '../ports/provider.ts';
import type { Router } from '../ports/router.ts';
import { defaultRoutes, parseRoutes, type Route, routeFor } from '../routing/routes.ts';
import { appConfig } from './config.ts';
import { secretSource } from './secrets.ts';
import { PREFERRED_ROUTES, SENDERS as PROVIDERS } from './senders.ts';

let router: Promise<Router> | undefined;
const senders = new Map<string, SmsProvider>();

function sender(name: string): SmsProvider {
  let provider = senders.get(name);
  if (!provider) {
    const module = PROVIDERS.find((m) => m.name === name);
    if (!module) throw new ConfigError(`invalid configuration: no provider named ${name}`);
    provider = module.create(appConfig(), secretSource());
    senders.set(name, provider);
  }
  return provider;
}

/**
 * Checks the routes against the secret: a route to a provider that does not exist, or whose
 * credentials the secret lacks, is a configuration error at the first invocation.
 */
export function checkRoutes(routes: readonly Route[], available: readonly string[]): void {
  for (const route of routes) {
    if (!PROVIDERS.some((m) => m.name === route.provider)) {
      throw new ConfigError(
        `invalid configuration: SMS_ROUTES routes ${route.prefix} to ${route.provider}, which is not a provider (${PROVIDERS.map((m) => m.name).join(', ')})`,
      );
    }
    if (!available.includes(route.provider)) {
      throw new ConfigError(
        `invalid configuration: SMS_ROUTES routes ${route.prefix} to ${route.provider}, but the secret holds no ${route.provider} credentials`,
      );
    }
  }
}

async function buildRouter(): Promise<Router> {
  const secret = await secretSource()();
  const available = PROVIDERS.filter((m) => m.hasCredentials(secret)).map((m) => m.name);
  if (available.length === 0) {
    throw new ConfigError('invalid configuration: the secret holds no provider credentials');
  }
  const setting = appConfig().routes;
  const routes =
    setting === undefined ? defaultRoutes(available, PREFERRED_ROUTES) : parseRoutes(setting);
  checkRoutes(routes, available);
  return {
    route(number) {
      const name = routeFor(routes, number);
      return name === undefined ? undefined : sender(name);
    },
  };
}

/** The router, built once per container from SMS_ROUTES and the secret (a failure is retried). */
export function providerRouter(): Promise<Router> {
  router ??= buildRouter().catch((error: unknown) => {
    router = undefined;
    throw error;
  });
  return router;
}

/**
 * The provider called `name`, when the secret holds its credentials (reconciliation asks the
 * provider that carried a message, whatever the routes say today); undefined otherwise.
 */
export async function providerNamed(name: string): Promise<SmsProvider | undefined> {
  const module = PROVIDERS.find((m) => m.name === name);
  if (!module?.hasCredentials(await secretSource()())) return undefined;
  return sender(name);
}

/**
 * SMS_FAILOVER: the providers other than `name` that this deployment can send through (the secret
 * holds their credentials), in the registry's order.
 */
export async function alternativesTo(name: string): Promise<SmsProvider[]> {
  const secret = await secretSource()();
  return PROVIDERS.filter((m) => m.name !== name && m.hasCredentials(secret)).map((m) =>
    sender(m.name),
  );
}

let breaker: Breaker | undefined;

/** The container's circuit breaker over the providers. */
export function providerBreaker(): Breaker {
  breaker ??= createBreaker();
  return breaker;
}
