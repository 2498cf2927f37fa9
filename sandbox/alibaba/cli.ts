/**
 * The Alibaba sandbox's command line:
 *   node sandbox/cli.ts --provider alibaba [--port 9091] [--host 127.0.0.1]
 *        [--access-key-id ID --access-key-secret S] [--receipt-url URL] [--delivery-delay-ms 1000]
 *        [--slow-ms 3000] [--latency-ms 0]
 */
import { parseArgs } from 'node:util';
import { fail, nonNegative, portFlag, stopOnSignals } from '../common/cli.ts';
import { redactUrl } from '../common/post.ts';
import { SANDBOX_CREDENTIAL, startAlibabaSandbox } from './server.ts';

export const ALIBABA_USAGE =
  'Usage: node sandbox/cli.ts --provider alibaba [--port 9091] [--host 127.0.0.1] ' +
  '[--access-key-id ID --access-key-secret S] [--receipt-url URL] [--delivery-delay-ms 1000] ' +
  '[--slow-ms 3000] [--latency-ms 0]\n';

const OPTIONS = {
  port: { type: 'string', default: '9091' },
  host: { type: 'string', default: '127.0.0.1' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
  'receipt-url': { type: 'string' },
  'delivery-delay-ms': { type: 'string' },
  'slow-ms': { type: 'string' },
  'latency-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the Alibaba flags, starts the sandbox, prints where it listens, stops on SIGINT/SIGTERM. */
export async function runAlibabaSandbox(args: string[]): Promise<void> {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), ALIBABA_USAGE);
  }
  if (values.help) {
    process.stdout.write(ALIBABA_USAGE);
    process.exit(0);
  }
  const port = portFlag(values.port, ALIBABA_USAGE);
  const id = values['access-key-id'];
  const secret = values['access-key-secret'];
  const custom = id !== undefined || secret !== undefined;
  if (custom && (!id || !secret))
    fail('--access-key-id and --access-key-secret go together', ALIBABA_USAGE);
  const credential = custom
    ? { accessKeyId: id ?? '', accessKeySecret: secret ?? '' }
    : SANDBOX_CREDENTIAL;
  const receiptUrl = values['receipt-url'];
  if (receiptUrl !== undefined && !/^https?:\/\/[^/?#]+/.test(receiptUrl)) {
    fail(`invalid --receipt-url: ${redactUrl(receiptUrl)}`, ALIBABA_USAGE);
  }
  const deliveryDelayMs = nonNegative(
    'delivery-delay-ms',
    values['delivery-delay-ms'],
    ALIBABA_USAGE,
  );
  const slowMs = nonNegative('slow-ms', values['slow-ms'], ALIBABA_USAGE);
  const latencyMs = nonNegative('latency-ms', values['latency-ms'], ALIBABA_USAGE);

  const sandbox = await startAlibabaSandbox({
    host: values.host,
    port,
    credentials: [credential],
    ...(receiptUrl === undefined ? {} : { receiptUrl }),
    ...(deliveryDelayMs === undefined ? {} : { deliveryDelayMs }),
    ...(slowMs === undefined ? {} : { slowMs }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  }).catch((error: unknown) =>
    fail(`cannot listen: ${error instanceof Error ? error.message : String(error)}`),
  );

  process.stdout.write(`Alibaba sandbox listening on ${sandbox.url}\n`);
  process.stdout.write('APIs: 2017-05-25 and 2018-05-01 (by x-acs-version)\n');
  process.stdout.write(`AccessKey ID: ${credential.accessKeyId}\n`);
  // Only the built-in secret is printed: a secret passed on the command line stays unseen.
  if (!custom) process.stdout.write(`AccessKey secret: ${credential.accessKeySecret}\n`);
  // The receipt URL's query (its token) is never printed.
  process.stdout.write(
    `Receipts: ${receiptUrl === undefined ? 'none (no --receipt-url)' : `pushed to ${redactUrl(receiptUrl)}`}\n`,
  );
  stopOnSignals(sandbox);
}
