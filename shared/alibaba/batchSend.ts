import type { BatchRequest, RecipientOutcome, Segment } from '../ports/provider.ts';
import type { Deadline } from '../util/deadline.ts';
import { type Addressed, readBatchGlobeAnswer, readBizIdAnswer } from './answers.ts';
import {
  type AlibabaRequest,
  buildBatchSendMessageToGlobe,
  buildSendBatchSms,
} from './builders.ts';
import type { AlibabaCall } from './caller.ts';
import type { TemplateLookup } from './check.ts';
import { globeNumber, isMainland, mainlandNational, NOT_A_MAINLAND_MOBILE } from './numbers.ts';
import { mainlandParams, renderInternational } from './templates.ts';

interface Entry extends Addressed {
  signName?: string;
  params?: Record<string, string>;
  text?: string;
}

function notPlanned(why: string): Error {
  return new Error(`sendBatch takes one request from planBatch: ${why}`);
}

/** Each number of the segments with what its request needs, checking they form one request. */
function entries(segments: readonly Segment[], templates: TemplateLookup) {
  const all = segments.flatMap((s) => s.to);
  const mainland = all.length > 0 && all.every(isMainland);
  if (!mainland && all.some(isMainland)) throw notPlanned('+86 and other numbers mixed');
  const keys = new Set<string>();
  const list = segments.map((segment) => {
    const template = templates.get(segment.templateId);
    return segment.to.map((to): Entry | undefined => {
      if (mainland) {
        const half = template?.mainland;
        if (!half) throw notPlanned(`template ${segment.templateId} has no mainland version`);
        keys.add(half.templateCode);
        const wire = mainlandNational(to);
        if (!wire) return undefined;
        return {
          to,
          wire,
          signName: half.signName,
          params: mainlandParams(half, segment.templateParas),
        };
      }
      const half = template?.international;
      if (!half) throw notPlanned(`template ${segment.templateId} has no international version`);
      keys.add(half.from ?? '');
      return { to, wire: globeNumber(to), text: renderInternational(half, segment.templateParas) };
    });
  });
  if (keys.size > 1) throw notPlanned(mainland ? 'several TemplateCodes' : 'several sender ids');
  return { mainland, key: [...keys][0] ?? '', list };
}

/**
 * Sends one planned request: SendBatchSms (one BizId for every number) or BatchSendMessageToGlobe
 * (ids matched to numbers only when Alibaba's counts agree). Outcomes per segment, in `to` order;
 * a whole-request failure throws.
 */
export async function sendAlibabaBatch(
  call: AlibabaCall,
  templates: TemplateLookup,
  segments: readonly Segment[],
  common: BatchRequest,
  deadline: Deadline,
): Promise<RecipientOutcome[][]> {
  const { mainland, key, list } = entries(segments, templates);
  const sendable = list.flat().filter((e): e is Entry => e !== undefined);
  let outcomes: RecipientOutcome[] = [];
  if (sendable.length > 0) {
    const request: AlibabaRequest = mainland
      ? buildSendBatchSms({
          templateCode: key,
          phoneNumbers: sendable.map((e) => e.wire),
          signNames: sendable.map((e) => e.signName ?? ''),
          templateParams: sendable.map((e) => e.params ?? {}),
          outId: common.reference ?? common.correlation,
        })
      : buildBatchSendMessageToGlobe({
          to: sendable.map((e) => e.wire),
          messages: sendable.map((e) => e.text ?? ''),
          from: key === '' ? undefined : key,
          taskId: common.reference ?? common.correlation,
          // The batch API takes NOTIFY or MKT only.
          type: 'NOTIFY',
        });
    outcomes = await call(
      request,
      (response) =>
        mainland ? readBizIdAnswer(response, sendable) : readBatchGlobeAnswer(response, sendable),
      deadline,
    );
  }
  let next = 0;
  return list.map((segment, s) =>
    segment.map((entry, k): RecipientOutcome => {
      if (entry) return outcomes[next++] as RecipientOutcome;
      return { to: segments[s]?.to[k] as string, status: 'rejected', error: NOT_A_MAINLAND_MOBILE };
    }),
  );
}
