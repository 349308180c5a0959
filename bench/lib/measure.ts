/**
 * Small timing helpers shared by the benchmarks: medians, a millisecond clock, and formatting. Every
 * benchmark compares against a baseline measured in the same run, so only ratios are meant to travel
 * between machines.
 */

/** The median of `samples` (the mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `ms` with a precision that suits its size (0.012, 1.23, 12.3, 1234). */
export function formatMs(ms: number): string {
  if (ms < 0.1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 1000) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** A ratio as `12.3×` (`digits` decimals below 100: two where 0.97 and 1.03 must not both read 1.0). */
export function formatRatio(ratio: number, digits = 1): string {
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(digits)}×`;
}

/** A byte count as `12.3 KiB` / `1.20 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
