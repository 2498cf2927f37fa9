import { signAkSk, splitUrl } from '../../shared/huawei/signer.ts';
import type { PushKey } from './types.ts';

/**
 * The headers Huawei's platform sends with a push: with a pushing key, exactly what `signAkSk`
 * returns (Host, X-Sdk-Date, Authorization, Content-Type); without one, Host and Content-Type.
 */
export function pushHeaders(
  url: string,
  body: string,
  contentType: string,
  pushKey: PushKey | undefined,
  at: Date,
): Record<string, string> {
  const headers = { 'Content-Type': contentType };
  if (!pushKey) return { Host: splitUrl(url).host, ...headers };
  const credentials = { appKey: pushKey.ak, appSecret: pushKey.sk };
  return signAkSk({ method: 'POST', url, headers, body }, credentials, at).headers;
}
