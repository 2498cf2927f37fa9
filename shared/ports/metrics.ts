/**
 * The metrics the use cases emit (README "Metrics and alarms"). The core only counts and times;
 * `shared/deps/metrics.ts` turns that into CloudWatch metrics (EMF) and publishes them once per
 * invocation. Every dimension value comes from a small, fixed set (a provider, a status, a code,
 * a country): never a number, a message id or anything a caller chooses. Each distinct
 * combination is a custom metric CloudWatch bills for.
 */

/** Dimension name to value. */
export type Dimensions = Readonly<Record<string, string>>;

export type CountMetric =
  | 'MessagesSubmitted'
  | 'ProviderErrors'
  | 'ReportsIngested'
  | 'ReportsRefused'
  | 'ReconcileOutcomes';

export type DurationMetric = 'DeliveryLatency';

export interface MetricsPort {
  /**
   * Adds `value` to a count. Each dimension set is a separate aggregation of the same data points
   * (`{provider, status}` and `{country}`: one count, two ways to slice it).
   */
  count(name: CountMetric, value: number, ...dimensionSets: Dimensions[]): void;
  /** One duration in milliseconds, kept as its own data point so CloudWatch has percentiles. */
  duration(name: DurationMetric, ms: number, ...dimensionSets: Dimensions[]): void;
}
