import * as z from 'zod/mini';
import { secretPart } from '../secrets.ts';

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

type Secrets = (options?: { refresh?: boolean }) => Promise<Readonly<Record<string, unknown>>>;

/** Alibaba's part of the SMS secret, read from `secrets`; undefined when the secret has none. */
export function alibabaSecretPart(
  secrets: Secrets,
): (options?: { refresh?: boolean }) => Promise<AlibabaSecret | undefined> {
  return async (options) => secretPart(await secrets(options), 'alibaba', alibabaSecretSchema);
}
