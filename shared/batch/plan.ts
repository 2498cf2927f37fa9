import { AppError } from '../errors.ts';
import type { Segment } from '../ports/provider.ts';

/** What one provider request may hold, as the provider says (its own limits and body measure). */
export interface BatchLimits {
  /** Numbers in one segment (one template entry of a request). */
  maxNumbersPerSegment: number;
  /** Numbers in one request, all segments together. */
  maxNumbersPerRequest: number;
  /** Segments in one request. */
  maxSegmentsPerRequest: number;
  /** Bytes of one request body the planner may fill. */
  maxBytes: number;
  /** Bytes of the body around the segments. */
  envelopeBytes: number;
  /** Bytes a segment costs with no number in it. */
  segmentBytes(segment: Segment): number;
  /** Bytes one number adds to a segment. */
  numberBytes(number: string, segment: Segment): number;
  /** Segments that can never share a request (Alibaba: one template per request). */
  sameRequest?(a: Segment, b: Segment): boolean;
}

type Sized = { segment: Segment; size: number };

function tooLarge(segment: Segment): AppError {
  return new AppError('invalid_request', 'A group is too large for one provider request', {
    details: [
      {
        path: `messages[${segment.group}].templateParas`,
        message: 'too long to send with even one number',
      },
    ],
  });
}

/** Cuts segments into pieces that each fit one request on their own. */
function split(segments: readonly Segment[], limits: BatchLimits): Sized[] {
  const budget = limits.maxBytes - limits.envelopeBytes;
  const perSegment = Math.min(limits.maxNumbersPerSegment, limits.maxNumbersPerRequest);
  const pieces: Sized[] = [];
  for (const segment of segments) {
    let current: Sized | undefined;
    segment.to.forEach((number, k) => {
      const cost = limits.numberBytes(number, segment);
      if (!current || current.segment.to.length >= perSegment || current.size + cost > budget) {
        const empty = { ...segment, positions: [], to: [] };
        const size = limits.segmentBytes(empty);
        if (size + cost > budget) throw tooLarge(segment);
        current = { segment: empty, size };
        pieces.push(current);
      }
      current.segment.to.push(number);
      current.segment.positions.push(segment.positions[k] as number);
      current.size += cost;
    });
  }
  return pieces;
}

/**
 * Packs segments into as few provider requests as the limits allow, in order, so results map
 * back by position. A number never appears twice in one request: results are matched by number,
 * and providers may refuse a duplicate. Pure.
 */
export function planChunks(segments: readonly Segment[], limits: BatchLimits): Segment[][] {
  const budget = limits.maxBytes - limits.envelopeBytes;
  const chunks: Segment[][] = [];
  let chunk: Segment[] = [];
  let size = 0;
  let count = 0;
  let numbers = new Set<string>();
  for (const { segment, size: segmentSize } of split(segments, limits)) {
    const first = chunk[0];
    if (
      first &&
      (size + segmentSize > budget ||
        chunk.length >= limits.maxSegmentsPerRequest ||
        count + segment.to.length > limits.maxNumbersPerRequest ||
        (limits.sameRequest !== undefined && !limits.sameRequest(first, segment)) ||
        segment.to.some((number) => numbers.has(number)))
    ) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
      count = 0;
      numbers = new Set();
    }
    chunk.push(segment);
    size += segmentSize;
    count += segment.to.length;
    for (const number of segment.to) numbers.add(number);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
