import { callbackUrl } from '../delivery/callbackAuth.ts';
import { appConfig } from './config.ts';
import { secretSource } from './secrets.ts';

/** The `statusCallback` URL to give Huawei: STATUS_CALLBACK_URL, with the token when it needs one. */
export async function statusCallbackUrl(): Promise<string | undefined> {
  return callbackUrl(appConfig().statusCallbackUrl, await secretSource().secret());
}
