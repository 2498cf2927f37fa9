import { AppError, type ErrorDetail } from '../errors.ts';
import type { Log } from '../logger.ts';
import { maskPhone } from '../phone.ts';
import { isProviderError, type RecipientOutcome, type SmsProvider } from '../provider.ts';
import type { SendSmsRequest } from '../schemas/sendSms.ts';
import type { MessageStore } from '../store/types.ts';
import type { Deadline } from '../util/deadline.ts';
import { type MessageResult, toRecord, toResult } from './records.ts';

export type { MessageResult } from './records.ts';

export interface SendSmsDeps {
  provider: SmsProvider;
  store: MessageStore;
  /** The `statusCallback` URL to give the provider (it may carry a token read from the secret). */
  statusCallbackUrl: () => Promise<string | undefined>;
  log: Log;
  now?: () => Date;
}

/**
 * Sends one template to every recipient, records every message, then says per recipient, in
 * request order, what the provider did. A whole-request refusal throws (nothing was sent, nothing
 * recorded); a timeout after the request was sent records the messages as `unknown` and answers
 * `504` with their ids. A failure to record is an error the caller sees.
 */
export async function sendSms(
  request: SendSmsRequest,
  deps: SendSmsDeps,
  deadline: Deadline,
): Promise<{ messages: MessageResult[] }> {
  const now = deps.now ?? (() => new Date());
  const provider = deps.provider.name;
  let outcomes: RecipientOutcome[];
  let unknownCause: unknown;
  try {
    outcomes = await deps.provider.send(
      {
        to: request.to,
        templateId: request.templateId,
        templateParas: request.templateParas,
        signature: request.signature,
        statusCallback: await deps.statusCallbackUrl(),
        extend: request.reference,
      },
      deadline,
    );
  } catch (error) {
    if (!isProviderError(error)) throw error;
    deps.log.warn('provider refused the request', {
      provider,
      code: error.code,
      providerCode: error.providerCode,
      providerMessage: error.providerMessage,
      outcome: error.outcome,
      recipients: request.to.length,
    });
    if (error.outcome !== 'unknown') throw error;
    unknownCause = error;
    outcomes = request.to.map((to) => ({ to, status: 'unknown' }));
  }

  const at = now().toISOString();
  const context = {
    templateId: request.templateId,
    reference: request.reference,
    provider,
    submittedAt: at,
  };
  const records = outcomes.map((outcome) => toRecord(outcome, context));
  try {
    await deps.store.recordMessages(records);
  } catch (error) {
    deps.log.error('messages submitted but not recorded', {
      provider,
      reason: (error as Error).message,
      count: records.length,
    });
    throw new AppError(
      'internal',
      'The messages were submitted to the provider but could not be recorded: do not resend them',
      {
        details: records.map((record, index) => ({
          path: `to[${index}]`,
          message: `submitted with status ${record.status}; not recorded`,
          messageId: record.messageId,
        })),
        cause: error,
      },
    );
  }
  deps.log.info('sms submitted', {
    provider,
    templateId: request.templateId,
    results: records.map((r) => ({
      messageId: r.messageId,
      to: maskPhone(r.to),
      status: r.status,
    })),
  });

  if (unknownCause) {
    const details: ErrorDetail[] = records.map((record, index) => ({
      path: `to[${index}]`,
      message: 'outcome unknown: the provider may have accepted this message; it was not resent',
      messageId: record.messageId,
    }));
    throw new AppError('provider_timeout', (unknownCause as Error).message, {
      details,
      cause: unknownCause,
    });
  }
  return { messages: records.map(toResult) };
}
