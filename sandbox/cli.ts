/**
 * Runs one provider's sandbox alone:
 *   node sandbox/cli.ts [--provider huawei|alibaba] [that provider's flags]
 * (`npm run sandbox -- --provider alibaba --port 9091`). Without `--provider`, the Huawei sandbox
 * with its flags as they always were. `--help` after the provider lists its flags.
 */
import { ALIBABA_USAGE, runAlibabaSandbox } from './alibaba/cli.ts';
import { fail } from './common/cli.ts';
import { HUAWEI_USAGE, runHuaweiSandbox } from './huawei/cli.ts';

const PROVIDERS = {
  huawei: { run: runHuaweiSandbox, usage: HUAWEI_USAGE },
  alibaba: { run: runAlibabaSandbox, usage: ALIBABA_USAGE },
} as const;

/** Takes `--provider X` / `--provider=X` out of the arguments; the rest go to that provider. */
function splitProvider(args: string[]): { provider: string; rest: string[] } {
  const rest: string[] = [];
  let provider = 'huawei';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--provider') {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) fail('--provider needs huawei or alibaba');
      provider = value;
      i += 1;
    } else if (arg.startsWith('--provider=')) {
      provider = arg.slice('--provider='.length);
    } else {
      rest.push(arg);
    }
  }
  return { provider, rest };
}

const { provider, rest } = splitProvider(process.argv.slice(2));
if (!Object.hasOwn(PROVIDERS, provider)) {
  fail(
    `unknown --provider: ${provider} (huawei or alibaba)`,
    `${PROVIDERS.huawei.usage}${PROVIDERS.alibaba.usage}`,
  );
}
await PROVIDERS[provider as keyof typeof PROVIDERS].run(rest);
