import { describe, expect, it } from 'vitest';
import { checkRoutes } from '../../shared/deps/router.ts';
import { defaultRoutes, parseRoutes, routeFor } from '../../shared/routing/routes.ts';

const PREFERRED = parseRoutes('+86=alibaba,*=huawei');

describe('routeFor', () => {
  const routes = parseRoutes('+86=alibaba,+852=alibaba,+8529=huawei,*=huawei');

  it.each([
    ['+8613800138000', 'alibaba'],
    ['+85261234567', 'alibaba'],
    ['+85291234567', 'huawei'], // the longest prefix wins over +852
    ['+6591234567', 'huawei'], // the default
    ['+1212555', 'huawei'],
  ])('routes %s to %s', (number, provider) => {
    expect(routeFor(routes, number)).toBe(provider);
  });

  it('finds no route when nothing matches and there is no default', () => {
    expect(routeFor(parseRoutes('+86=alibaba'), '+6591234567')).toBeUndefined();
  });

  it('does not depend on the order of the rules', () => {
    const reversed = parseRoutes('*=huawei,+8529=huawei,+852=alibaba,+86=alibaba');
    for (const n of ['+8613800138000', '+85261234567', '+85291234567', '+6591234567']) {
      expect(routeFor(reversed, n)).toBe(routeFor(routes, n));
    }
  });
});

describe('defaultRoutes (SMS_ROUTES unset)', () => {
  it('sends everything to the only provider the secret holds', () => {
    expect(defaultRoutes(['alibaba'], PREFERRED)).toEqual([{ prefix: '*', provider: 'alibaba' }]);
    expect(defaultRoutes(['huawei'], PREFERRED)).toEqual([{ prefix: '*', provider: 'huawei' }]);
  });

  it('splits +86 to Alibaba and the rest to Huawei when the secret holds both', () => {
    expect(defaultRoutes(['huawei', 'alibaba'], PREFERRED)).toEqual(PREFERRED);
  });
});

describe('checkRoutes', () => {
  it('refuses a route to a provider the secret has no credentials for', () => {
    expect(() => checkRoutes(parseRoutes('+86=alibaba,*=huawei'), ['huawei'])).toThrow(
      expect.objectContaining({
        code: 'configuration_invalid',
        message: expect.stringMatching(/\+86 to alibaba.*no alibaba credentials/),
      }),
    );
  });

  it('refuses a route to a provider that does not exist', () => {
    expect(() => checkRoutes(parseRoutes('*=twilio'), ['huawei'])).toThrow(/not a provider/);
  });

  it('accepts routes to providers with credentials', () => {
    expect(() => checkRoutes(parseRoutes('*=huawei'), ['huawei'])).not.toThrow();
  });
});
