import { createAlibabaReceiver } from '../alibaba/receipts.ts';
import { alibabaSecretPart } from '../alibaba/secret.ts';
import type { ReceiverModule } from './modules.ts';

/** Alibaba's receipt endpoint (`/alibaba`, authenticated by the secret's receiptToken). */
export const alibabaReceiver: ReceiverModule = {
  name: 'alibaba',
  create: (_config, secrets) => createAlibabaReceiver({ secret: alibabaSecretPart(secrets) }),
};
