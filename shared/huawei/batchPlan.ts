import { type BatchLimits, planChunks } from '../batch/plan.ts';
import type { Segment } from '../ports/provider.ts';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Huawei's limits for `batchSendDiffSms`, and ours where Huawei documents none. */
const LIMITS = {
  /** Huawei fails a whole `smsContent` entry beyond 500 numbers. */
  maxNumbersPerSegment: 500,
  maxNumbersPerRequest: 10_000,
  /** Entries per request: undocumented by Huawei, so bounded here. */
  maxSegmentsPerRequest: 100,
  /** The body of one request, well under the 64 KiB we promise (and gateways like). */
  maxBytes: 48 * 1024,
};

/** Bytes of the request body around the entries, with room for the longest `from` Huawei issues. */
export function huaweiEnvelopeBytes(
  statusCallback: string | undefined,
  extend: string | undefined,
) {
  return bytes({
    from: 'x'.repeat(64),
    statusCallback: statusCallback ?? '',
    extend: extend ?? '',
    smsContent: [],
  });
}

/** The limits of one `batchSendDiffSms` body, measured as `buildBatchSendDiffSms` writes it. */
export function huaweiLimits(
  statusCallback: string | undefined,
  extend: string | undefined,
): BatchLimits {
  return {
    ...LIMITS,
    envelopeBytes: huaweiEnvelopeBytes(statusCallback, extend),
    segmentBytes: (segment) =>
      bytes({
        to: [],
        templateId: segment.templateId,
        ...(segment.templateParas?.length ? { templateParas: segment.templateParas } : {}),
        ...(segment.signature ? { signature: segment.signature } : {}),
      }) + 1, // + the comma between entries
    numberBytes: (number) => bytes(number) + 1,
  };
}

/** Splits segments into `batchSendDiffSms` requests within Huawei's limits. Pure. */
export function planHuaweiBatch(
  segments: readonly Segment[],
  statusCallback: string | undefined,
  extend: string | undefined,
): Segment[][] {
  return planChunks(segments, huaweiLimits(statusCallback, extend));
}
