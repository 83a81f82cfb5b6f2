import { SingleBar } from "cli-progress";

/**
 * A progress bar on stderr: share of the file's bytes read, rows, rows per second and ETA.
 */
export function progressBar(
  label: string,
  totalBytes: number,
): { update(bytes: number, rows: number): void; stop(): void } {
  const started = Date.now();
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    etaBuffer: 50,
  });
  bar.start(Math.max(totalBytes, 1), 0, { rate: 0, rows: 0 });
  return {
    update(bytes: number, rows: number) {
      const secs = (Date.now() - started) / 1000;
      bar.update(Math.min(bytes, bar.getTotal()), { rows, rate: secs > 0 ? Math.round(rows / secs) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
