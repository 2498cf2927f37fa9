import { isProviderError } from '../errors.ts';
import type { RecipientOutcome } from '../ports/provider.ts';
import { mapWithConcurrency } from '../util/pool.ts';

/** One request of a call: where its recipients sit in the call, and how to send it. */
export interface Job {
  indices: readonly number[];
  to: readonly string[];
  run(): Promise<RecipientOutcome[]>;
}

type Settled = { ok: RecipientOutcome[] } | { error: unknown };

/** What a failed request means for each of its recipients when other requests of the call did not fail. */
function failedOutcomes(to: readonly string[], error: unknown): RecipientOutcome[] {
  // Anything but a provider verdict says nothing about whether the request went out: unknown.
  if (!isProviderError(error) || error.outcome === 'unknown') {
    return to.map((number) => ({ to: number, status: 'unknown' }));
  }
  const detail = { code: error.providerCode ?? error.code, message: error.message };
  if (error.code === 'provider_rejected') {
    return to.map((number) => ({ to: number, status: 'rejected', error: detail }));
  }
  return to.map((number) => ({
    to: number,
    status: 'not_sent',
    error: { code: error.code, message: error.message },
  }));
}

/** Lower is worse: a possibly sent request first, then faults, refusals, unavailability. */
function severity(error: unknown): number {
  if (!isProviderError(error)) return 1;
  if (error.outcome === 'unknown') return 0;
  if (error.code === 'provider_rejected') return 2;
  if (error.code === 'provider_unavailable') return 3;
  return 4;
}

/** The error to throw when every request of a call failed. */
export function mostSevere(errors: readonly unknown[]): unknown {
  return errors.reduce((worst, error) => (severity(error) < severity(worst) ? error : worst));
}

/**
 * Runs a call's requests with bounded concurrency and puts every outcome at its recipient's
 * place. One request that failed, or every request failing, throws (the caller maps that to
 * 502/503/504); otherwise the failed requests' recipients get per-recipient outcomes.
 */
export async function runJobs(
  size: number,
  preset: ReadonlyMap<number, RecipientOutcome>,
  jobs: readonly Job[],
  concurrency: number,
): Promise<RecipientOutcome[]> {
  const settled = await mapWithConcurrency(jobs, concurrency, async (job): Promise<Settled> => {
    try {
      return { ok: await job.run() };
    } catch (error) {
      return { error };
    }
  });
  const errors = settled.flatMap((s) => ('error' in s ? [s.error] : []));
  if (errors.length > 0 && errors.length === jobs.length) throw mostSevere(errors);
  const outcomes = new Array<RecipientOutcome | undefined>(size);
  for (const [index, outcome] of preset) outcomes[index] = outcome;
  jobs.forEach((job, k) => {
    const result = settled[k] as Settled;
    const list = 'ok' in result ? result.ok : failedOutcomes(job.to, result.error);
    job.indices.forEach((index, i) => {
      outcomes[index] = list[i];
    });
  });
  return outcomes.map((outcome, index) => {
    if (!outcome) throw new Error(`no outcome for recipient ${index}`);
    return outcome;
  });
}
