import push from '../fixtures/vectors/huawei-push-auth.json' with { type: 'json' };
import aksk from '../fixtures/vectors/huawei-sdk-hmac-sha256.json' with { type: 'json' };
import wsse from '../fixtures/vectors/huawei-x-wsse.json' with { type: 'json' };

/** Known answers produced by Huawei's own signer (copied from the team's vectors folder). */
export const akskVectors = aksk;
export const wsseVectors = wsse;
export const pushVectors = push;

/** `20250314T092653Z` as a Date. */
export function sdkDateToDate(value: string): Date {
  return new Date(
    `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`,
  );
}
