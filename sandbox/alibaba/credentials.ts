import type { AlibabaCredential } from './types.ts';

/** The built-in AccessKey: fake by design, safe to print and commit. */
export const SANDBOX_ACCESS_KEY_ID = 'sandbox-access-key-id';
export const SANDBOX_ACCESS_KEY_SECRET = 'sandbox-access-key-secret';

export const SANDBOX_CREDENTIAL: AlibabaCredential = {
  accessKeyId: SANDBOX_ACCESS_KEY_ID,
  accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
};
