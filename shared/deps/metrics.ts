import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { logger } from '../logger.ts';
import type { Dimensions, MetricsPort } from '../ports/metrics.ts';

/** EMF keeps at most 100 values per metric in one document (Powertools flushes at 100). */
const MAX_VALUES = 100;

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

interface Entry {
  name: string;
  unit: Unit;
  dimensions: Dimensions;
  values: number[];
  /** Counts are summed into one value; durations keep every value (percentiles need them). */
  sum: boolean;
}

/**
 * One Powertools Metrics instance per container: namespace POWERTOOLS_METRICS_NAMESPACE
 * (serverless.yml; `SmsRelay` when unset), service `sms-relay` (a dimension of every metric).
 */
const powertools = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'SmsRelay',
  serviceName: 'sms-relay',
});

/**
 * What this invocation counted, by metric, dimension set and values. An EMF document holds one
 * value per dimension name, so each set's distinct values are a document of their own (two sets
 * in one document may not share a name either: Powertools warns on every such flush).
 */
const pending = new Map<string, Entry>();

function record(
  entry: Omit<Entry, 'values' | 'dimensions'>,
  value: number,
  sets: readonly Dimensions[],
): void {
  if (!Number.isFinite(value)) return;
  for (const dimensions of sets.length > 0 ? sets : [{}]) {
    const key = JSON.stringify([entry.name, dimensions]);
    const held = pending.get(key);
    if (!held) pending.set(key, { ...entry, dimensions, values: [value] });
    else if (entry.sum) held.values[0] = (held.values[0] ?? 0) + value;
    else held.values.push(value);
  }
}

/** The metrics port, backed by Powertools: nothing is written until `flushMetrics()`. */
export const metrics: MetricsPort = {
  count(name, value, ...sets) {
    record({ name, unit: MetricUnit.Count, sum: true }, value, sets);
  },
  duration(name, ms, ...sets) {
    record({ name, unit: MetricUnit.Milliseconds, sum: false }, Math.max(0, Math.round(ms)), sets);
  },
};

/**
 * Publishes what this invocation counted: one EMF line on stdout per metric and dimension values
 * (at most 100 values each). Never throws: a metric must not fail a request.
 */
export function flushMetrics(): void {
  const entries = [...pending.values()];
  pending.clear();
  for (const entry of entries) {
    for (let start = 0; start < entry.values.length; start += MAX_VALUES) {
      try {
        powertools.addDimensions({ ...entry.dimensions });
        for (const value of entry.values.slice(start, start + MAX_VALUES))
          powertools.addMetric(entry.name, entry.unit, value);
        // The 100th value already made Powertools publish.
        if (powertools.hasStoredMetrics()) powertools.publishStoredMetrics();
      } catch (error) {
        powertools.clearMetrics();
        powertools.clearDimensions();
        logger.warn('metric not published', {
          metric: entry.name,
          reason: (error as Error).message,
        });
      }
    }
  }
}

/** Middy middleware: publishes the invocation's metrics once it ends, answered or failed. */
export function publishMetrics<TEvent, TResult>(): MiddlewareObj<TEvent, TResult> {
  return { after: flushMetrics, onError: flushMetrics };
}
