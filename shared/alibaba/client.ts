import type { SmsProvider } from '../ports/provider.ts';
import type { Deadline } from '../util/deadline.ts';
import { DEFAULT_MAX_GLOBE_QUERY_BYTES, planAlibabaBatch } from './batch.ts';
import { sendAlibabaBatch } from './batchSend.ts';
import { type AlibabaTransportOptions, createAlibabaCall } from './caller.ts';
import { checkSms, createTemplateLookup } from './check.ts';
import {
  type MessageDetail,
  queryMessage,
  querySendDetails,
  type SendDetailsPage,
} from './queries.ts';
import { ALIBABA_QUERY_RATE, queryAlibabaStatus } from './queryStatus.ts';
import { sendSms } from './send.ts';

/** Transport settings, the registry lookup and the fan-out bound. */
export interface AlibabaProviderOptions extends AlibabaTransportOptions {
  /** The raw `alibaba` slice of the registry entry for a template name; undefined when none. */
  template: (templateId: string) => unknown;
  /** SendMessageToGlobe requests in flight at once within one `send` [10]. */
  intlConcurrency?: number | undefined;
  /** Query-size budget of one BatchSendMessageToGlobe request [16 KiB]. */
  maxGlobeQueryBytes?: number | undefined;
}

/** The provider, plus the query APIs a reconciliation job needs. */
export interface AlibabaProvider extends SmsProvider {
  querySendDetails(
    params: { to: string; sendDate: Date; bizId?: string; pageSize?: number; currentPage?: number },
    deadline: Deadline,
  ): Promise<SendDetailsPage>;
  queryMessage(messageId: string, deadline: Deadline): Promise<MessageDetail>;
}

/**
 * Alibaba Cloud SMS behind the provider port: +86 numbers through the 2017-05-25 API, every other
 * number through the 2018-05-01 API, each request signed with ACS3, retried only when surely
 * not taken, and read so that a business error inside a 200 is never reported as accepted.
 */
export function createAlibabaProvider(options: AlibabaProviderOptions): AlibabaProvider {
  const call = createAlibabaCall(options);
  const templates = createTemplateLookup(options.template);
  const intlConcurrency = Math.max(1, options.intlConcurrency ?? 10);
  const maxGlobeQueryBytes = options.maxGlobeQueryBytes ?? DEFAULT_MAX_GLOBE_QUERY_BYTES;
  return {
    name: 'alibaba',
    check: (sms, path) => checkSms(templates, sms, path),
    send: (sms, deadline) => sendSms({ call, templates, intlConcurrency }, sms, deadline),
    planBatch: async (segments, common) =>
      planAlibabaBatch(segments, common, templates, maxGlobeQueryBytes),
    sendBatch: (segments, request, deadline) =>
      sendAlibabaBatch(call, templates, segments, request, deadline),
    query: (target, deadline) => queryAlibabaStatus(call, target, deadline),
    queryRate: ALIBABA_QUERY_RATE,
    querySendDetails: (params, deadline) => querySendDetails(call, params, deadline),
    queryMessage: (messageId, deadline) => queryMessage(call, messageId, deadline),
  };
}
