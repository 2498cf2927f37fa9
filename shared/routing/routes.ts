import { ConfigError } from '../errors.ts';

/** One `prefix=provider` rule of `SMS_ROUTES`; `*` is the default. */
export interface Route {
  prefix: string;
  provider: string;
}

const PREFIX = /^(\*|\+[1-9]\d{0,14})$/;
const PROVIDER = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Parses `SMS_ROUTES` (`+86=alibaba,+852=alibaba,*=huawei`): comma-separated rules, longest prefix
 * wins, `*` the default. Duplicate prefixes are a configuration error, not a silent override.
 */
export function parseRoutes(value: string, name = 'SMS_ROUTES'): Route[] {
  const routes: Route[] = [];
  const seen = new Set<string>();
  for (const rule of value.split(',')) {
    const text = rule.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    const prefix = eq === -1 ? '' : text.slice(0, eq).trim();
    const provider = eq === -1 ? '' : text.slice(eq + 1).trim();
    if (!PREFIX.test(prefix) || !PROVIDER.test(provider)) {
      throw new ConfigError(
        `invalid configuration: ${name} rule ${JSON.stringify(text)} must look like +86=alibaba or *=huawei`,
      );
    }
    if (seen.has(prefix)) {
      throw new ConfigError(`invalid configuration: ${name} names ${prefix} twice`);
    }
    seen.add(prefix);
    routes.push({ prefix, provider });
  }
  if (routes.length === 0) throw new ConfigError(`invalid configuration: ${name} holds no rule`);
  return routes;
}

/** The provider for a number by the longest matching prefix, or `*`; undefined when none matches. */
export function routeFor(routes: readonly Route[], number: string): string | undefined {
  let best: Route | undefined;
  for (const route of routes) {
    if (route.prefix === '*') {
      if (!best) best = route;
    } else if (
      number.startsWith(route.prefix) &&
      (!best || best.prefix === '*' || route.prefix.length > best.prefix.length)
    ) {
      best = route;
    }
  }
  return best?.provider;
}

/**
 * The routes when `SMS_ROUTES` is unset (SPEC "Routing"): everything to the one provider the
 * secret holds, or `preferred` (the product's default split) when it holds several.
 */
export function defaultRoutes(available: readonly string[], preferred: readonly Route[]): Route[] {
  if (available.length === 1) return [{ prefix: '*', provider: available[0] as string }];
  const routes = preferred.filter((route) => available.includes(route.provider));
  if (!routes.some((route) => route.prefix === '*')) {
    routes.push({ prefix: '*', provider: available[0] as string });
  }
  return routes;
}
