import { describe, expect, it } from 'vitest';
import { maskLine } from '../../local/maskLine.ts';

describe("maskLine (serverless-offline's output under npm start)", () => {
  it('masks numbers in request paths, raw or percent-encoded, and free-standing digit runs', () => {
    expect(maskLine('GET /opt-outs/+6591113333 (λ: optOuts)')).toBe(
      'GET /opt-outs/+65****3333 (λ: optOuts)',
    );
    expect(maskLine('PUT /opt-outs/%2B6591113333')).toBe('PUT /opt-outs/%2B65****3333');
    expect(maskLine('from 6591234567 ok')).toBe('from 65****4567 ok');
  });

  it('leaves ids, durations and other text alone', () => {
    const line = 'RequestId: fa4c68e0-02bd-49bc-a220-409989600b02  Duration: 143.80 ms';
    expect(maskLine(line)).toBe(line);
  });
});
