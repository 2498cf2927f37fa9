import * as z from 'zod/mini';
import { SecretError, secretPart } from '../secrets.ts';

const nonEmpty = z.string().check(z.minLength(1));

/** The secret's `alibaba` slice (SPEC "Alibaba Cloud SMS"). */
export const alibabaSecretSchema = z.object({
  accessKeyId: nonEmpty,
  accessKeySecret: nonEmpty,
  /** Required as the `token` query parameter of every receipt push: Alibaba does not sign them. */
  receiptToken: z.string().check(z.minLength(16)),
});

/** The validated `alibaba` slice. */
export type AlibabaSecret = z.infer<typeof alibabaSecretSchema>;

/** What signing needs: an AccessKey pair, or an STS triple. */
export interface AlibabaCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

/** Cached credentials, with a way to refetch them after an authentication failure (rotation). */
export interface AlibabaCredentialSource {
  get(): Promise<AlibabaCredentials>;
  refresh(): Promise<AlibabaCredentials>;
}

/** Alibaba's part of the SMS secret, read from `secrets` (an error when it has none). */
export function alibabaSecretReader(
  secrets: (options?: { refresh?: boolean }) => Promise<Readonly<Record<string, unknown>>>,
): (options?: { refresh?: boolean }) => Promise<AlibabaSecret> {
  return async (options) => {
    const part = secretPart(await secrets(options), 'alibaba', alibabaSecretSchema);
    if (!part) throw new SecretError('the secret holds no alibaba credentials');
    return part;
  };
}
