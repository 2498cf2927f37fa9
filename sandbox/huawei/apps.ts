import type { SandboxApp } from './types.ts';

/** Credentials of the built-in local application: fake by design, safe to print and commit. */
export const LOCAL_APP_KEY = 'sandbox-app-key';
export const LOCAL_APP_SECRET = 'sandbox-app-secret';
/** The local application's international channel number (`from`). */
export const LOCAL_SENDER = 'isms00000001';

export const LOCAL_APP: SandboxApp = {
  appKey: LOCAL_APP_KEY,
  appSecret: LOCAL_APP_SECRET,
  senders: [LOCAL_SENDER],
};
