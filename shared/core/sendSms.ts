import { randomUUID } from 'node:crypto';
import { AppError, type ErrorDetail } from '../errors.ts';
import type { Log } from '../logger.ts';
import { maskPhone } from '../phone.ts';
import { isProviderError, type RecipientOutcome, type SmsProvider } from '../provider.ts';
import type { SendSmsRequest } from '../schemas/sendSms.ts';
import type { Deadline } from '../util/deadline.ts';

/** One recipient in the `202` answer (SPEC "Sending"). */
export type MessageResult =
  | { messageId: string; to: string; status: 'accepted' | 'unknown' }
  | { messageId: string; to: string; status: 'rejected'; error: { code: string; message: string } };

export interface SendSmsDeps {
  provider: SmsProvider;
  statusCallbackUrl: string | undefined;
  log: Log;
  newId?: () => string;
}

/**
 * Sends one template to every recipient and says, per recipient in request order, what the
 * provider did. A whole-request failure throws; a timeout after the request was sent is a `504`
 * carrying the message ids, whose outcome is unknown.
 */
export async function sendSms(
  request: SendSmsRequest,
  deps: SendSmsDeps,
  deadline: Deadline,
): Promise<{ messages: MessageResult[] }> {
  const newId = deps.newId ?? randomUUID;
  const ids = request.to.map(() => newId());
  let outcomes: RecipientOutcome[];
  try {
    outcomes = await deps.provider.send(
      {
        to: request.to,
        templateId: request.templateId,
        templateParas: request.templateParas,
        signature: request.signature,
        statusCallback: deps.statusCallbackUrl,
        extend: request.reference,
      },
      deadline,
    );
  } catch (error) {
    if (isProviderError(error)) {
      deps.log.warn('provider refused the request', {
        provider: deps.provider.name,
        code: error.code,
        providerCode: error.providerCode,
        providerMessage: error.providerMessage,
        outcome: error.outcome,
        recipients: request.to.length,
      });
      if (error.outcome === 'unknown') {
        const details: ErrorDetail[] = request.to.map((_to, index) => ({
          path: `to[${index}]`,
          message:
            'outcome unknown: the provider may have accepted this message; it was not resent',
          messageId: ids[index] ?? '',
        }));
        throw new AppError('provider_timeout', error.message, { details, cause: error });
      }
    }
    throw error;
  }
  const messages = outcomes.map((outcome, index): MessageResult => {
    const messageId = ids[index] ?? newId();
    if (outcome.status === 'rejected')
      return { messageId, to: outcome.to, status: 'rejected', error: outcome.error };
    return { messageId, to: outcome.to, status: outcome.status };
  });
  deps.log.info('sms submitted', {
    provider: deps.provider.name,
    templateId: request.templateId,
    results: messages.map((m) => ({
      messageId: m.messageId,
      to: maskPhone(m.to),
      status: m.status,
    })),
  });
  return { messages };
}
