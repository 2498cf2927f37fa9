import type { PushReceiver } from '../ports/push.ts';
import { alibabaReceiver } from './alibabaReceiver.ts';
import { appConfig } from './config.ts';
import { huaweiReceiver } from './huaweiReceiver.ts';
import type { ReceiverModule } from './modules.ts';
import { secretSource } from './secrets.ts';

/** Every provider's push endpoint. */
export const RECEIVERS: readonly ReceiverModule[] = [huaweiReceiver, alibabaReceiver];

let receivers: PushReceiver[] | undefined;

/** Every provider's push endpoint, built once per container. */
export function pushReceivers(): readonly PushReceiver[] {
  receivers ??= RECEIVERS.map((m) => m.create(appConfig(), secretSource()));
  return receivers;
}
