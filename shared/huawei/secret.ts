import * as z from 'zod/mini';
import { SecretError, secretPart } from '../secrets.ts';

/** The Huawei part of the SMS secret (SPEC "Configuration"): one application's credentials. */
export const huaweiSecretSchema = z.object({
  appKey: z.string().check(z.minLength(1)),
  appSecret: z.string().check(z.minLength(1)),
  sender: z.string().check(z.minLength(1)),
  pushKeys: z.optional(
    z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))),
  ),
  /**
   * Optional: the application-level callback token, and the key of every per-request token
   * (otherwise both derive from appSecret). Set it to rotate appSecret freely.
   */
  callbackToken: z.optional(z.string().check(z.minLength(16))),
  /**
   * Optional: the keys in use before the last change of `callbackToken` (or `appSecret`, when
   * there is no `callbackToken`): per-request tokens they made stay valid while their reports
   * can still come (keep them 72 h).
   */
  previousCallbackTokens: z.optional(z.array(z.string().check(z.minLength(16)))),
});

/** What Secrets Manager holds for one Huawei application. */
export type HuaweiSecret = z.infer<typeof huaweiSecretSchema>;

type Secrets = (options?: { refresh?: boolean }) => Promise<Readonly<Record<string, unknown>>>;

/** Huawei's part of the SMS secret, read from `secrets`; undefined when the secret has none. */
export function huaweiSecretPart(
  secrets: Secrets,
): (options?: { refresh?: boolean }) => Promise<HuaweiSecret | undefined> {
  return async (options) => secretPart(await secrets(options), 'huawei', huaweiSecretSchema);
}

/** Huawei's part of the SMS secret, read from `secrets` (an error when it has none). */
export function huaweiSecretReader(
  secrets: Secrets,
): (options?: { refresh?: boolean }) => Promise<HuaweiSecret> {
  const read = huaweiSecretPart(secrets);
  return async (options) => {
    const part = await read(options);
    if (!part) throw new SecretError('the secret holds no huawei credentials');
    return part;
  };
}
