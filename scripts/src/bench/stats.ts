// The summary math of the benchmark: percentiles by the nearest-rank method (every figure printed is a
// sample that was actually measured, never an interpolation) and throughput from a wall-clock duration.

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile: the smallest sample such that at least `p` percent of the samples are
 * less than or equal to it. `sorted` must be in ascending order and non-empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0-100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** min, mean, p50, p95, p99 and max of a set of samples (e.g. milliseconds). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  for (const sample of samples) {
    if (!Number.isFinite(sample)) throw new RangeError(`sample ${sample} is not a finite number`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    min: sorted[0]!,
    mean: total / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
}

/** Requests per second for `count` requests completed in `elapsedMs` of wall-clock time. */
export function throughput(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) throw new RangeError(`elapsed time must be positive, got ${elapsedMs}`);
  return (count * 1000) / elapsedMs;
}

/** Bytes as mebibytes (1 MiB = 1,048,576 bytes). */
export function mebibytes(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** Milliseconds elapsed while `work` runs, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}
