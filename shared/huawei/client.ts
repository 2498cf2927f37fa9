import { randomBytes } from 'node:crypto';
import {
  isProviderError,
  type OutboundSms,
  ProviderError,
  type RecipientOutcome,
  type SmsProvider,
} from '../provider.ts';
import type { HttpDispatcher } from '../transport/agent.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, sendWithRetry } from '../transport/retry.ts';
import { type HttpRequest, isTransportError, sendOnce } from '../transport/sendOnce.ts';
import type { Deadline } from '../util/deadline.ts';
import {
  type BuiltRequest,
  buildBatchSendDiffSms,
  buildBatchSendSms,
  type SmsContent,
} from './builders.ts';
import { parseSendResponse } from './response.ts';
import {
  type AppCredentials,
  signAkSk,
  signWsse,
  splitUrl,
  type WsseDigestVariant,
} from './signer.ts';

/** What Secrets Manager holds for one Huawei application. */
export interface HuaweiCredentials extends AppCredentials {
  /** Channel number, sent as `from`. */
  sender: string;
}

/** Cached credentials, with a way to refetch them after an authentication failure (rotation). */
export interface CredentialSource {
  get(): Promise<HuaweiCredentials>;
  refresh(): Promise<HuaweiCredentials>;
}

export interface HuaweiClientOptions {
  /** Application access address, e.g. `https://smsapi.ap-southeast-1.myhuaweicloud.com:443`. */
  endpoint: string;
  auth: 'aksk' | 'wsse';
  wsseDigest: WsseDigestVariant;
  credentials: CredentialSource;
  dispatcher: HttpDispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  retry?: RetryPolicy;
  now?: () => Date;
  nonce?: () => string;
  /** Called once per retry and per credential refresh, for logs. */
  onEvent?: (event: {
    type: 'retry' | 'credentials_refreshed';
    attempt?: number;
    reason?: string;
  }) => void;
}

export interface HuaweiSmsClient extends SmsProvider {
  /** `batchSendDiffSms`: several groups in one request; outcomes per group, in order. */
  sendGroups(
    groups: readonly SmsContent[],
    common: { statusCallback?: string | undefined; extend?: string | undefined },
    deadline: Deadline,
  ): Promise<RecipientOutcome[][]>;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The Huawei Message & SMS provider: builds, signs, sends and reads `batchSendSms` requests. */
export function createHuaweiClient(options: HuaweiClientOptions): HuaweiSmsClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const { host, path: basePath } = splitUrl(endpoint);
  const origin = `${endpoint.slice(0, endpoint.indexOf('://'))}://${host}`;
  const now = options.now ?? (() => new Date());
  const nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;

  function sign(built: BuiltRequest, credentials: HuaweiCredentials): HttpRequest {
    const path = basePath.replace(/\/$/, '') + built.path;
    const url = origin + path;
    const body = built.body;
    const contentType = { 'Content-Type': built.contentType };
    const headers =
      options.auth === 'aksk'
        ? signAkSk({ method: 'POST', url, headers: contentType, body }, credentials, now()).headers
        : {
            ...contentType,
            Host: host,
            ...signWsse(credentials, now(), nonce(), options.wsseDigest),
          };
    return { origin, method: 'POST', path, headers, body };
  }

  async function submit<T>(
    build: (credentials: HuaweiCredentials) => BuiltRequest,
    read: (body: { status: number; body: string }) => T,
    deadline: Deadline,
  ): Promise<T> {
    let credentials = await options.credentials.get();
    for (let refreshed = false; ; refreshed = true) {
      const built = build(credentials);
      try {
        const { response } = await sendWithRetry(
          (attempt) => {
            if (attempt > 1) options.onEvent?.({ type: 'retry', attempt });
            return sign(built, credentials);
          },
          (request) =>
            sendOnce(options.dispatcher, request, {
              signal: deadline.signal,
              headersTimeoutMs: options.headersTimeoutMs,
              bodyTimeoutMs: options.bodyTimeoutMs,
              maxResponseBytes: MAX_RESPONSE_BYTES,
            }),
          deadline,
          retry,
        );
        return read(response);
      } catch (error) {
        // An authentication failure means nothing was accepted: after a rotation, one more try is safe.
        if (
          isProviderError(error) &&
          error.authFailure &&
          !refreshed &&
          deadline.remainingMs() > retry.minAttemptMs
        ) {
          try {
            credentials = await options.credentials.refresh();
          } catch {
            throw error; // the refusal stands: still nothing sent
          }
          options.onEvent?.({
            type: 'credentials_refreshed',
            reason: error.providerCode ?? 'auth',
          });
          continue;
        }
        throw toProviderError(error);
      }
    }
  }

  return {
    name: 'huawei',
    send(sms: OutboundSms, deadline: Deadline): Promise<RecipientOutcome[]> {
      return submit(
        (credentials) =>
          buildBatchSendSms({
            from: credentials.sender,
            to: sms.to,
            templateId: sms.templateId,
            templateParas: sms.templateParas,
            signature: sms.signature,
            statusCallback: sms.statusCallback,
            extend: sms.extend,
          }),
        (response) => parseSendResponse(response, sms.to),
        deadline,
      );
    },
    sendGroups(groups, common, deadline) {
      return submit(
        (credentials) =>
          buildBatchSendDiffSms({
            from: credentials.sender,
            statusCallback: common.statusCallback,
            extend: common.extend,
            smsContent: groups,
          }),
        (response) => {
          // Results come back flat; split them by group in request order.
          const outcomes = parseSendResponse(
            response,
            groups.flatMap((group) => group.to),
          );
          let offset = 0;
          return groups.map((group) => {
            const start = offset;
            offset += group.to.length;
            return outcomes.slice(start, offset);
          });
        },
        deadline,
      );
    },
  };
}

/** Transport failures become SPEC errors: unsent ones are `provider_unavailable`, the rest unknown. */
function toProviderError(error: unknown): unknown {
  if (!isTransportError(error)) return error;
  if (error.requestSent) {
    return new ProviderError(
      'provider_timeout',
      'Huawei did not answer in time; the messages may or may not have been accepted',
      { outcome: 'unknown', providerCode: error.code, cause: error },
    );
  }
  return new ProviderError(
    'provider_unavailable',
    `Could not reach Huawei (${error.code}); nothing was sent`,
    {
      outcome: 'not_sent',
      providerCode: error.code,
      cause: error,
    },
  );
}
