import type { Config } from '../config.ts';
import type { SmsProvider } from '../ports/provider.ts';
import type { PushReceiver } from '../ports/push.ts';
import type { SecretSource, SmsSecret } from '../secrets.ts';

/**
 * How one provider is wired. Adding a provider is its folder, one module file here, and a line in
 * `senders.ts` and `receivers.ts`. Sending and receiving are separate so that each handler bundles
 * only its half (the callback needs no HTTP client).
 */
export interface SenderModule {
  readonly name: string;
  /** The secret holds this provider's credentials (a malformed part throws `SecretError`). */
  hasCredentials(secret: SmsSecret): boolean;
  create(config: Config, secrets: SecretSource): SmsProvider;
}

/** How one provider's push endpoint is wired. */
export interface ReceiverModule {
  readonly name: string;
  create(config: Config, secrets: SecretSource): PushReceiver;
}
