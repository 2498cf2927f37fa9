import { AppError } from '../errors.ts';
import type { BatchGroup } from '../schemas/sendBatch.ts';

/** A slice of one group: at most 500 numbers of it, in order, as one `smsContent` entry. */
export interface Segment {
  /** Index of the group in the request, and of this slice's first number in the group. */
  group: number;
  start: number;
  to: string[];
  templateId: string;
  templateParas?: string[] | undefined;
  signature?: string | undefined;
}

/** Huawei's limits, and ours where Huawei documents none. */
export interface BatchLimits {
  /** Huawei fails a whole `smsContent` entry beyond 500 numbers. */
  maxNumbersPerContent: number;
  /** The body of one request, well under the 64 KiB we promise (and gateways like). */
  maxBodyBytes: number;
  /** Entries per request: undocumented by Huawei, so bounded here. */
  maxContentsPerRequest: number;
}

export const HUAWEI_BATCH_LIMITS: BatchLimits = {
  maxNumbersPerContent: 500,
  maxBodyBytes: 48 * 1024,
  maxContentsPerRequest: 100,
};

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Splits groups into `batchSendDiffSms` requests: every entry at most 500 numbers, every body at
 * most `maxBodyBytes` counting `envelopeBytes` (from, statusCallback, extend), entries in request
 * order so results map back by position. Pure.
 */
export function planChunks(
  groups: readonly BatchGroup[],
  limits: BatchLimits,
  envelopeBytes: number,
): Segment[][] {
  const budget = limits.maxBodyBytes - envelopeBytes;
  const segments: Array<{ segment: Segment; size: number }> = [];
  groups.forEach((group, index) => {
    const base = {
      templateId: group.templateId,
      ...(group.templateParas?.length ? { templateParas: group.templateParas } : {}),
      ...(group.signature ? { signature: group.signature } : {}),
    };
    const emptySize = bytes({ to: [], ...base }) + 1; // + the comma between entries
    let current: { segment: Segment; size: number } | undefined;
    group.to.forEach((number, position) => {
      const cost = bytes(number) + 1;
      if (
        !current ||
        current.segment.to.length >= limits.maxNumbersPerContent ||
        current.size + cost > budget
      ) {
        if (emptySize + cost > budget) {
          throw new AppError('invalid_request', 'A group is too large for one provider request', {
            details: [
              {
                path: `messages[${index}].templateParas`,
                message: 'too long to send with even one number',
              },
            ],
          });
        }
        current = { segment: { group: index, start: position, to: [], ...base }, size: emptySize };
        segments.push(current);
      }
      current.segment.to.push(number);
      current.size += cost;
    });
  });

  const chunks: Segment[][] = [];
  let chunk: Segment[] = [];
  let size = 0;
  // A number twice in one request would be matched to its results by Huawei's answer order
  // (which nothing promises) and may be refused as a duplicate (E200041): start a new request.
  let numbers = new Set<string>();
  for (const { segment, size: segmentSize } of segments) {
    if (
      chunk.length > 0 &&
      (size + segmentSize > budget ||
        chunk.length >= limits.maxContentsPerRequest ||
        segment.to.some((number) => numbers.has(number)))
    ) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
      numbers = new Set();
    }
    chunk.push(segment);
    size += segmentSize;
    for (const number of segment.to) numbers.add(number);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Bytes of the request body around the entries, with room for the longest `from` Huawei issues. */
export function envelopeBytes(
  statusCallback: string | undefined,
  extend: string | undefined,
): number {
  return bytes({
    from: 'x'.repeat(64),
    statusCallback: statusCallback ?? '',
    extend: extend ?? '',
    smsContent: [],
  });
}
