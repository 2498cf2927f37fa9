import { createHuaweiReceiver } from '../huawei/receiver.ts';
import { huaweiSecretPart } from '../huawei/secret.ts';
import type { ReceiverModule } from './modules.ts';

/** Huawei's push endpoint (reports and replies at `/`). */
export const huaweiReceiver: ReceiverModule = {
  name: 'huawei',
  create: (_config, secrets) => createHuaweiReceiver({ secret: huaweiSecretPart(secrets) }),
};
