import { randomBytes } from 'node:crypto';
import { isProviderError, isTransportError, ProviderError } from '../errors.ts';
import type { OutboundSms, RecipientOutcome, Segment, SmsProvider } from '../ports/provider.ts';
import type { CredentialSource as Credentials } from '../secrets.ts';
import type { TemplateLookup } from '../templates/registry.ts';
import type { HttpDispatcher } from '../transport/agent.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, sendWithRetry } from '../transport/retry.ts';
import { type HttpRequest, sendOnce } from '../transport/sendOnce.ts';
import type { Deadline } from '../util/deadline.ts';
import { planHuaweiBatch as huaweiBatchLimits } from './batchPlan.ts';
import { type BuiltRequest, buildBatchSendDiffSms, buildBatchSendSms } from './builders.ts';
import { parseSendResponse } from './response.ts';
import {
  type AppCredentials,
  signAkSk,
  signWsse,
  splitUrl,
  type WsseDigestVariant,
} from './signer.ts';
import { huaweiTemplateSchema } from './template.ts';

/** What Secrets Manager holds for one Huawei application. */
/**
 * Without a callback URL on the request, its reports come in the application's batch reports
 * (the URL set in Huawei's console, with the application token), which carry only `smsMsgId`.
 */
function byIdOnlyWithout(
  callback: string | undefined,
  outcomes: RecipientOutcome[],
): RecipientOutcome[] {
  if (callback) return outcomes;
  return outcomes.map((outcome) =>
    outcome.status === 'accepted' ? { ...outcome, appReports: true } : outcome,
  );
}

/** A correlation's length, for planning requests before their correlations exist. */
const PLACEHOLDER_CORRELATION = `sr${'0'.repeat(32)}`;
/** A number standing for a call's one recipient when only the URL's length matters. */
const PLACEHOLDER_RECIPIENT = '+10000000000';

export interface HuaweiCredentials extends AppCredentials {
  /** Channel number, sent as `from`. */
  sender: string;
}

/** Cached credentials, with a way to refetch them after an authentication failure (rotation). */
export type CredentialSource = Credentials<HuaweiCredentials>;

export interface HuaweiClientOptions {
  /** Application access address, e.g. `https://smsapi.ap-southeast-1.myhuaweicloud.com:443`. */
  endpoint: string;
  auth: 'aksk' | 'wsse';
  wsseDigest: WsseDigestVariant;
  credentials: CredentialSource;
  /**
   * The `statusCallback` URL to give Huawei for one call (its correlation and token), given the
   * call's numbers (a call to one number may bind its URL to it).
   */
  statusCallback?: (
    correlation: string,
    recipients: readonly string[],
  ) => Promise<string | undefined>;
  /** This provider's slice of the template registry. */
  templates?: TemplateLookup;
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

export type HuaweiSmsClient = SmsProvider;

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The Huawei Message & SMS provider: builds, signs, sends and reads `batchSendSms` requests. */
export function createHuaweiClient(options: HuaweiClientOptions): HuaweiSmsClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const { host, path: basePath } = splitUrl(endpoint);
  const origin = `${endpoint.slice(0, endpoint.indexOf('://'))}://${host}`;
  const now = options.now ?? (() => new Date());
  const nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const statusCallback = options.statusCallback ?? (async () => undefined);
  const templates = options.templates ?? (() => ({ known: false, slice: undefined }));
  /** A registry name becomes Huawei's template id (+ signature); anything else goes as it is. */
  const resolve = <T extends { templateId: string; signature?: string | undefined }>(sms: T): T => {
    const found = huaweiTemplate(templates, sms.templateId);
    if (!found) return sms;
    return {
      ...sms,
      templateId: found.templateId,
      ...(found.signature && !sms.signature ? { signature: found.signature } : {}),
    };
  };

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
    let credentials: HuaweiCredentials;
    try {
      credentials = await options.credentials.get();
    } catch (error) {
      // Before anything is written: surely not sent, never an unknown outcome.
      throw new ProviderError(
        'provider_unavailable',
        'The Huawei credentials could not be read; nothing was sent',
        { outcome: 'not_sent', providerCode: (error as { code?: string }).code, cause: error },
      );
    }
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
    check(sms, path) {
      const { known, slice } = templates(sms.templateId);
      if (!known || huaweiTemplate(templates, sms.templateId)) return [];
      return [
        {
          path: `${path}.templateId`,
          message:
            slice === undefined
              ? `template ${sms.templateId} has no Huawei template in the registry`
              : `template ${sms.templateId} has an invalid Huawei entry in the registry`,
          code: 'template_not_available',
        },
      ];
    },
    async send(sms: OutboundSms, deadline: Deadline): Promise<RecipientOutcome[]> {
      const resolved = resolve(sms);
      const callback = await statusCallback(sms.correlation, sms.to);
      return submit(
        (credentials) =>
          buildBatchSendSms({
            from: credentials.sender,
            to: sms.to,
            templateId: resolved.templateId,
            templateParas: sms.templateParas,
            signature: resolved.signature,
            statusCallback: callback,
            // Always set: Huawei's reports bring `to` back only with `extend`.
            extend: sms.reference ?? sms.correlation,
          }),
        (response) => byIdOnlyWithout(callback, parseSendResponse(response, sms.to)),
        deadline,
      );
    },
    async planBatch(segments, common) {
      // Every request's URL and `extend` have the length of a real call's.
      // (with a recipient's tag: the longest a call's URL gets).
      const sample = await statusCallback(PLACEHOLDER_CORRELATION, [PLACEHOLDER_RECIPIENT]);
      return huaweiBatchLimits(
        segments.map(resolve),
        sample,
        common.reference ?? PLACEHOLDER_CORRELATION,
      );
    },
    async sendBatch(segments: readonly Segment[], request, deadline) {
      const groups = segments.map(resolve);
      const callback = await statusCallback(
        request.correlation,
        groups.flatMap((group) => group.to),
      );
      return submit(
        (credentials) =>
          buildBatchSendDiffSms({
            from: credentials.sender,
            statusCallback: callback,
            extend: request.reference ?? request.correlation,
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
            return byIdOnlyWithout(callback, outcomes.slice(start, offset));
          });
        },
        deadline,
      );
    },
  };
}

/** The Huawei slice of a registry template, when it has a valid one. */
function huaweiTemplate(
  templates: TemplateLookup,
  templateId: string,
): { templateId: string; signature?: string | undefined } | undefined {
  const parsed = huaweiTemplateSchema.safeParse(templates(templateId).slice);
  return parsed.success ? parsed.data : undefined;
}

/** Transport failures become SPEC errors: unsent ones are `provider_unavailable`, the rest unknown. */
function toProviderError(error: unknown): unknown {
  if (!isTransportError(error)) return error;
  if (error.requestSent) {
    return new ProviderError(
      'provider_timeout',
      'Huawei did not answer in time; the messages may or may not have been accepted',
      { outcome: 'unknown', providerCode: error.reason, cause: error },
    );
  }
  return new ProviderError(
    'provider_unavailable',
    `Could not reach Huawei (${error.reason}); nothing was sent`,
    {
      outcome: 'not_sent',
      providerCode: error.reason,
      cause: error,
    },
  );
}
