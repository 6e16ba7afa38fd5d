/**
 * `npm run bench -- --libraries N`: many Discord servers' libraries in one process. N server libraries are made on
 * disk (each one short article: a passage of a State of the Union speech), then a new registry, as at a start,
 * answers: the time to the first answer (the model loaded with it), to the first answer of a library that is still
 * closed, and the memory one open library costs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../src/config.js';
import { percentile } from '../src/library/evaluation.js';
import { Libraries } from '../src/library/libraries.js';
import type { Logger } from '../src/log.js';
import { loadSotu } from './sotu.js';

export interface LibrariesOptions {
  libraries: number;
}

// Libraries opened to measure memory: enough to see past noise, few enough to build quickly.
const MEASURED_OPEN = 50;
// Closed libraries whose first answer is timed.
const TIMED_FIRST = 20;

const serverId = (i: number): string => String(100_000_000_000_000_000n + BigInt(i));

export async function librariesBench(
  options: LibrariesOptions,
  config: Config,
  log: Logger,
  note: (message: string) => void,
) {
  const speeches = loadSotu();
  const built = performance.now();
  const builder = new Libraries({ ...config, maxOpenLibraries: 1 }, log);
  // The home library is built too: a restart finds every index on disk.
  await builder.home.reindex();
  for (let i = 0; i < options.libraries; i++) {
    const speech = speeches[i % speeches.length]!;
    const dir = path.join(builder.folderOf(serverId(i)), 'articles');
    fs.mkdirSync(dir, { recursive: true });
    // A short article: the speech's first 1,500 characters, as a server's first note would be.
    fs.writeFileSync(path.join(dir, 'note.txt'), `${speech.name}, ${speech.year}\n\n${speech.text.slice(0, 1500)}\n`);
    await builder.withLibrary(serverId(i), (library) => library.reindex());
    if ((i + 1) % 100 === 0) note(`built ${i + 1}/${options.libraries} libraries`);
  }
  await builder.close();
  const buildSeconds = (performance.now() - built) / 1000;

  const open = Math.min(MEASURED_OPEN, options.libraries);
  // Room for every library opened here: none is closed while memory is measured.
  const libraries = new Libraries({ ...config, maxOpenLibraries: TIMED_FIRST + 1 + open }, log);
  try {
    const question = 'What did the president say about the Congress?';
    let started = performance.now();
    await libraries.ask(serverId(0), question);
    const firstAnswerMs = performance.now() - started;
    const closedFirst: number[] = [];
    for (let i = 1; i < Math.min(TIMED_FIRST + 1, options.libraries); i++) {
      started = performance.now();
      await libraries.ask(serverId(i), question);
      closedFirst.push(performance.now() - started);
    }
    const before = process.memoryUsage().rss;
    const opened = libraries.openServers().length;
    for (let i = TIMED_FIRST + 1; i < open + TIMED_FIRST + 1 && i < options.libraries; i++)
      await libraries.ask(serverId(i), question);
    const measured = libraries.openServers().length - opened;
    const perLibraryMb = measured ? (process.memoryUsage().rss - before) / measured / 1024 / 1024 : null;
    const round = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(1)));
    return {
      libraries: options.libraries,
      buildSeconds: round(buildSeconds),
      firstAnswerMs: round(firstAnswerMs),
      closedLibraryFirstAnswerMs: {
        p50: round(percentile(closedFirst, 0.5)),
        p95: round(percentile(closedFirst, 0.95)),
      },
      openMeasured: measured,
      rssPerOpenLibraryMb: round(perLibraryMb),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await libraries.close();
  }
}
