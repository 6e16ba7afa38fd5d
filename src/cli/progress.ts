// Progress bars on a terminal for model downloads and index builds (silent when stderr is not a TTY).
import cliProgress from 'cli-progress';
import type { ModelProgress } from '../models/embedder.js';

const interactive = (): boolean => process.stderr.isTTY === true;

/** A progress bar on stderr while passages are embedded; nothing when stderr is not a terminal. */
export function indexProgress(): { update: (done: number, total: number) => void; stop: () => void } {
  if (!interactive()) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: 'Embedding passages |{bar}| {value}/{total} ({percentage}%) ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.update(done);
      }
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** Shows model files being downloaded on first run (one bar per file on a terminal, else one line each). */
export function downloadProgress(model: string): { update: (p: ModelProgress) => void; stop: () => void } {
  if (!interactive()) {
    const announced = new Set<string>();
    return {
      update({ file }) {
        if (announced.has(file)) return;
        announced.add(file);
        process.stderr.write(`Downloading ${model}: ${file}\n`);
      },
      stop: () => {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      format: `Downloading {file} |{bar}| {percentage}% of {size}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const byFile = new Map<string, cliProgress.SingleBar>();
  return {
    update({ file, loaded, total }) {
      let bar = byFile.get(file);
      const size = total ? `${(total / 1e6).toFixed(1)} MB` : 'unknown size';
      if (!bar) {
        bar = bars.create(total || 1, 0, { file, size });
        byFile.set(file, bar);
      }
      bar.setTotal(total || 1);
      bar.update(loaded, { file, size });
    },
    stop: () => bars.stop(),
  };
}
