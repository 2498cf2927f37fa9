import type { Route } from '../routing/routes.ts';
import { alibabaSender } from './alibabaSender.ts';
import { huaweiSender } from './huaweiSender.ts';
import type { SenderModule } from './modules.ts';

/** Every provider the service can send through. */
export const SENDERS: readonly SenderModule[] = [huaweiSender, alibabaSender];

/** The routes when `SMS_ROUTES` is unset and the secret holds several providers. */
export const PREFERRED_ROUTES: readonly Route[] = [
  { prefix: '+86', provider: 'alibaba' },
  { prefix: '*', provider: 'huawei' },
];
