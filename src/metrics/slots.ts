/**
 * Counters and histograms kept in fixed slots, for the hot path: counting is an array increment (no
 * label hashing, no allocation, no await). Each object is also a prom-client metric (name, help, type,
 * aggregator, get()), so a registry lists it and the cluster aggregation sums it like any other.
 */

export interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

export interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum' | 'max';
}

/** What a prom-client Registry needs of a metric (registerMetric, metrics(), getMetricsAsJSON()). */
export interface SlotMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricJson['type'];
  readonly aggregator: MetricJson['aggregator'];
  get(): Promise<MetricJson>;
}

/**
 * Counts (or a gauge's values) by one label tuple out of a fixed set: slot i has the labels labelsOf(i).
 * Slots never counted are left out of the output unless `always` (a gauge that must read 0).
 */
export class Slots implements SlotMetric {
  readonly values: Float64Array;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly labelsOf: readonly Record<string, string>[],
    private readonly always = false,
    readonly aggregator: 'sum' | 'max' = 'sum',
  ) {
    this.values = new Float64Array(labelsOf.length);
  }

  inc(slot: number, by = 1): void {
    this.values[slot] += by;
  }

  set(slot: number, value: number): void {
    this.values[slot] = value;
  }

  async get(): Promise<MetricJson> {
    const values: MetricValue[] = [];
    for (let i = 0; i < this.values.length; i++) {
      if (this.always || this.values[i] !== 0) values.push({ labels: { ...this.labelsOf[i] }, value: this.values[i] });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** Histograms, one per slot (a label tuple), over the same upper bounds (seconds). */
export class HistogramSlots implements SlotMetric {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  /** Per slot: one count per bound, then +Inf (not cumulative: made cumulative when read). */
  private readonly buckets: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelsOf: readonly Record<string, string>[],
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(labelsOf.length * (bounds.length + 1));
    this.sums = new Float64Array(labelsOf.length);
    this.counts = new Float64Array(labelsOf.length);
  }

  observe(slot: number, seconds: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && seconds > b[i]) i++;
    this.buckets[slot * (b.length + 1) + i]++;
    this.sums[slot] += seconds;
    this.counts[slot]++;
  }

  async get(): Promise<MetricJson> {
    const values: MetricValue[] = [];
    const width = this.bounds.length + 1;
    for (let s = 0; s < this.counts.length; s++) {
      if (this.counts[s] === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < width; i++) {
        cumulative += this.buckets[s * width + i];
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        values.push({ labels: { ...this.labelsOf[s], le }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...this.labelsOf[s] }, value: this.sums[s], metricName: `${this.name}_sum` });
      values.push({ labels: { ...this.labelsOf[s] }, value: this.counts[s], metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** Seconds since a process.hrtime.bigint() reading. */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
