import type { BatchCommon, Segment } from '../ports/provider.ts';
import { MAX_BATCH_GLOBE_NUMBERS, MAX_SEND_BATCH_SMS_NUMBERS } from './builders.ts';
import { percentEncode } from './canonical.ts';
import { assertSendable, type TemplateLookup } from './check.ts';
import { globeNumber, isMainland } from './numbers.ts';
import { renderInternational } from './templates.ts';

/**
 * BatchSendMessageToGlobe carries its numbers and texts in the query string. Alibaba documents no
 * URL limit; its own SDK sends a full 1,000-number SendSms (about 14 KB of query) that way, so
 * about that much is known to pass. Beyond it is a guess, so requests stay below it.
 */
export const DEFAULT_MAX_GLOBE_QUERY_BYTES = 16 * 1024;

interface OpenRequest {
  segments: Segment[];
  /** The input segment the last slice came from: only its numbers extend that slice. */
  source: Segment | undefined;
  count: number;
  bytes: number;
  /**
   * Numbers already in the request. A number twice in one request would share one BizId
   * (2017-05-25: the message is BizId + number, so two messages would be one) or one position
   * in MessageIdList's mapping (2018-05-01): it starts a new request instead.
   */
  numbers: Set<string>;
}

/** One segment's numbers of one kind, positions kept. */
function part(segment: Segment, keep: (to: string) => boolean): Segment | undefined {
  const slice: Segment = { ...segment, positions: [], to: [] };
  segment.to.forEach((to, k) => {
    if (!keep(to)) return;
    slice.to.push(to);
    slice.positions.push(segment.positions[k] as number);
  });
  return slice.to.length > 0 ? slice : undefined;
}

/** The query bytes one number adds to a BatchSendMessageToGlobe request (two JSON items and commas). */
function globeCost(to: string, text: string): number {
  return (
    percentEncode(JSON.stringify(globeNumber(to))).length +
    percentEncode(JSON.stringify(text)).length +
    6
  );
}

/**
 * Splits segments into Alibaba requests: +86 numbers into SendBatchSms (one TemplateCode per
 * request, up to 100 numbers), the others into BatchSendMessageToGlobe (one sender id per
 * request, up to 1,000 numbers and a query-size budget). Input order is kept within a request.
 */
export function planAlibabaBatch(
  segments: readonly Segment[],
  common: BatchCommon,
  templates: TemplateLookup,
  maxGlobeQueryBytes: number = DEFAULT_MAX_GLOBE_QUERY_BYTES,
): Segment[][] {
  const requests: OpenRequest[] = [];
  const open = new Map<string, OpenRequest>();
  // Query bytes every BatchSendMessageToGlobe request has before its first number.
  // Without a reference, `TaskId` carries the call's correlation (34 characters).
  const envelope = 64 + (common.reference ? percentEncode(common.reference).length : 34);

  function add(key: string, slice: Segment, k: number, max: number, cost: number, budget: number) {
    const number = slice.to[k] as string;
    let request = open.get(key);
    if (
      !request ||
      request.count >= max ||
      request.numbers.has(number) ||
      (request.count > 0 && request.bytes + cost > budget)
    ) {
      request = { segments: [], source: undefined, count: 0, bytes: envelope, numbers: new Set() };
      open.set(key, request);
      requests.push(request);
    }
    let last = request.segments.at(-1);
    if (!last || request.source !== slice) {
      last = { ...slice, positions: [], to: [] };
      request.segments.push(last);
      request.source = slice;
    }
    last.to.push(number);
    last.positions.push(slice.positions[k] as number);
    request.numbers.add(number);
    request.count += 1;
    request.bytes += cost;
  }

  for (const segment of segments) {
    assertSendable(templates, segment, `messages[${segment.group}]`);
    const template = templates.get(segment.templateId);
    const mainland = part(segment, isMainland);
    const mainlandHalf = template?.mainland;
    if (mainland && mainlandHalf) {
      mainland.to.forEach((_to, k) => {
        add(`m:${mainlandHalf.templateCode}`, mainland, k, MAX_SEND_BATCH_SMS_NUMBERS, 0, Infinity);
      });
    }
    const others = part(segment, (to) => !isMainland(to));
    const intlHalf = template?.international;
    if (others && intlHalf) {
      const text = renderInternational(intlHalf, segment.templateParas);
      others.to.forEach((to, k) => {
        const cost = globeCost(to, text);
        add(
          `g:${intlHalf.from ?? ''}`,
          others,
          k,
          MAX_BATCH_GLOBE_NUMBERS,
          cost,
          maxGlobeQueryBytes,
        );
      });
    }
  }
  return requests.map((request) => request.segments);
}
