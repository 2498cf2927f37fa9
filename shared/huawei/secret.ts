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
  /** Optional: the status callback token (otherwise derived from appSecret). */
  callbackToken: z.optional(z.string().check(z.minLength(16))),
});

/** What Secrets Manager holds for one Huawei application. */
export type HuaweiSecret = z.infer<typeof huaweiSecretSchema>;

/** Huawei's part of the SMS secret, read from `secrets` (an error when it has none). */
export function huaweiSecretReader(
  secrets: (options?: { refresh?: boolean }) => Promise<Readonly<Record<string, unknown>>>,
): (options?: { refresh?: boolean }) => Promise<HuaweiSecret> {
  return async (options) => {
    const part = secretPart(await secrets(options), 'huawei', huaweiSecretSchema);
    if (!part) throw new SecretError('the secret holds no huawei credentials');
    return part;
  };
}
