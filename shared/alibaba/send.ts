import type { OutboundSms, RecipientOutcome } from '../ports/provider.ts';
import type { Deadline } from '../util/deadline.ts';
import { readBizIdAnswer, readGlobeAnswer } from './answers.ts';
import { buildSendMessageToGlobe, buildSendSms, MAX_SEND_SMS_NUMBERS } from './builders.ts';
import type { AlibabaCall } from './caller.ts';
import { assertSendable, type TemplateLookup } from './check.ts';
import { type Job, runJobs } from './combine.ts';
import { globeNumber, isMainland, mainlandNational, NOT_A_MAINLAND_MOBILE } from './numbers.ts';
import { mainlandParams, renderInternational } from './templates.ts';

/** What sending needs from the provider. */
export interface SendContext {
  call: AlibabaCall;
  templates: TemplateLookup;
  intlConcurrency: number;
}

/**
 * One template to many numbers: +86 numbers through SendSms (up to 1,000 per request), the others
 * through SendMessageToGlobe, one request per number, a bounded number at a time.
 */
export async function sendSms(
  context: SendContext,
  sms: OutboundSms,
  deadline: Deadline,
): Promise<RecipientOutcome[]> {
  assertSendable(context.templates, sms, 'sms');
  const template = context.templates.get(sms.templateId);
  const preset = new Map<number, RecipientOutcome>();
  const mainland: Array<{ index: number; to: string; wire: string }> = [];
  const intl: Job[] = [];
  sms.to.forEach((to, index) => {
    if (isMainland(to)) {
      const wire = mainlandNational(to);
      if (wire) mainland.push({ index, to, wire });
      else preset.set(index, { to, status: 'rejected', error: NOT_A_MAINLAND_MOBILE });
      return;
    }
    const half = template?.international;
    if (!half) return; // assertSendable guarantees it
    const recipient = { to, wire: globeNumber(to) };
    const request = buildSendMessageToGlobe({
      to: recipient.wire,
      message: renderInternational(half, sms.templateParas),
      from: half.from,
      taskId: sms.reference ?? sms.correlation,
    });
    intl.push({
      indices: [index],
      to: [to],
      run: async () => [
        await context.call(request, (response) => readGlobeAnswer(response, recipient), deadline),
      ],
    });
  });
  const jobs: Job[] = [];
  const half = template?.mainland;
  if (half) {
    const templateParam = mainlandParams(half, sms.templateParas);
    for (let start = 0; start < mainland.length; start += MAX_SEND_SMS_NUMBERS) {
      const chunk = mainland.slice(start, start + MAX_SEND_SMS_NUMBERS);
      const request = buildSendSms({
        phoneNumbers: chunk.map((r) => r.wire),
        signName: half.signName,
        templateCode: half.templateCode,
        templateParam,
        outId: sms.reference ?? sms.correlation,
      });
      jobs.push({
        indices: chunk.map((r) => r.index),
        to: chunk.map((r) => r.to),
        run: () => context.call(request, (response) => readBizIdAnswer(response, chunk), deadline),
      });
    }
  }
  // Mainland first: its one request carries the most numbers.
  return runJobs(sms.to.length, preset, [...jobs, ...intl], context.intlConcurrency);
}
