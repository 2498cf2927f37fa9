import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/huawei/server.ts';
import { signAkSk } from '../../shared/huawei/signer.ts';
import type { GuideAnswer } from './huaweiGuide.ts';

/**
 * The example values Huawei's developer guide declares in its samples. The guide calls them
 * "example values only", to replace with the app's own: a sandbox app is made of them instead.
 */
export const GUIDE = {
  APP_KEY: 'c8RWg3ggEcyd4D3p94bf3Y7x1lle',
  APP_SECRET: 'q4li87Bh*****80SfD7Al',
  sender: 'csms12345678',
  TEMPLATE_ID: '8ff55eac1d0b478ab3c06c3c6a492300',
  signature: 'Huawei Cloud SMS test',
  statusCallBack: '',
  // Some samples mask their numbers (`+86151****6789`), which no API accepts; the others use these.
  receiver: '+8615123456789,+8615234567890',
  receivers: ['+8615123456789', '+8615234567890'],
  WSSE_AUTHORIZATION: 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
} as const;

/**
 * Registers a sandbox holding the guide's app for the file, and checks after each sample what
 * Huawei documents for its empty (or misspelt) `statusCallback`: no report, ever.
 */
export function useGuideSandbox(): { formUrl(): string; jsonUrl(): string; sandbox(): Sandbox } {
  let sandbox: Sandbox | undefined;
  const started = () => {
    if (!sandbox) throw new Error('the guide sandbox is not started');
    return sandbox;
  };
  beforeAll(async () => {
    sandbox = await startSandbox({
      apps: [{ appKey: GUIDE.APP_KEY, appSecret: GUIDE.APP_SECRET, senders: [GUIDE.sender] }],
      deliveryDelayMs: 10,
    });
  });
  afterAll(() => sandbox?.close());
  afterEach(async () => {
    const box = started();
    await box.idle();
    expect(box.pushes).toEqual([]);
    for (const message of box.messages.values()) expect(message.statusCallback).toBeUndefined();
    box.reset();
  });
  return {
    formUrl: () => `${started().url}/sms/batchSendSms/v1`,
    jsonUrl: () => `${started().url}/sms/batchSendDiffSms/v1`,
    sandbox: started,
  };
}

/** HTTP 200 `000000`, every recipient `000000`. */
export function expectAccepted(answer: GuideAnswer, recipients: number): void {
  expect(answer.status).toBe(200);
  expect(answer.body.code).toBe('000000');
  expect(answer.body.result.map((r: { status: string }) => r.status)).toEqual(
    Array(recipients).fill('000000'),
  );
}

/**
 * `sig.Sign(r)` of Huawei's APIG signers (apig_sdk for Python, signer.js for Node), done with
 * `signAkSk`: `X-Sdk-Date` and a lower-case `host` (with the port, as the URL has it) are added,
 * and every header is signed.
 */
export function apigSign(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Record<string, string> {
  const credentials = { appKey: GUIDE.APP_KEY, appSecret: GUIDE.APP_SECRET };
  const { Host, ...signed } = signAkSk(
    { method: 'POST', url, headers, body },
    credentials,
    new Date(),
  ).headers;
  return { ...signed, host: Host ?? '' };
}
