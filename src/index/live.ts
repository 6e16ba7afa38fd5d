// The index questions are answered from, lent to each question and swapped whole after a rebuild.
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../log.js';
import { currentGeneration } from '../store/layout.js';
import { IndexDamagedError, PassageIndex } from '../store/passage-index.js';

/**
 * The index questions are answered from: opened on first need, lent to each question while it is
 * answered, and replaced by a rebuilt one without closing it under a question still reading it.
 */
export class LiveIndex {
  private opened: PassageIndex | null = null;
  private readonly leases = new Map<PassageIndex, number>();
  /** Why the open index failed its checksums, until a rebuild replaces it. */
  private damaged: string | null = null;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  /** The live index, or null when none has been built. */
  current(): PassageIndex | null {
    // Another process (npm run index, add or remove) may have published a newer generation since: it is swapped in
    // as this process's own rebuild would be, the old one closing when its last question is answered.
    if (this.opened && currentGeneration(this.dir) !== this.opened.dir) this.retire();
    if (!this.opened) {
      // Checksums are read while the first question is already being answered; questions wait
      // for them before they answer (see `use`), so a damaged index never gives an answer.
      this.opened = PassageIndex.open(this.dir, { verify: 'background' });
      this.opened?.verified.catch((error: unknown) =>
        this.log.warn(`the index is damaged (${errorMessage(error)}): it will be rebuilt`),
      );
    }
    return this.opened;
  }

  /** Why the index cannot be trusted, or null. */
  get damage(): string | null {
    return this.damaged;
  }

  /**
   * Runs `read` on `index`, keeping it open meanwhile, and returns its result once the index's
   * checksums have been read. When they do not match, the index is dropped and null is returned:
   * what was read may be wrong.
   */
  async use<T>(index: PassageIndex, read: () => Promise<T>): Promise<T | null> {
    this.leases.set(index, (this.leases.get(index) ?? 0) + 1);
    try {
      const result = await read();
      try {
        await index.verified;
      } catch (error) {
        if (!(error instanceof IndexDamagedError)) throw error;
        this.damaged = error.message;
        if (this.opened === index) this.opened = null;
        return null;
      }
      return result;
    } finally {
      const left = (this.leases.get(index) ?? 1) - 1;
      if (left > 0) this.leases.set(index, left);
      else {
        this.leases.delete(index);
        if (index !== this.opened) index.close();
      }
    }
  }

  /** Swaps in the index just built: the replaced one closes when its last question is answered. */
  replace(): void {
    this.retire();
    // Just built and checksummed: no need to read it all again.
    this.opened = PassageIndex.open(this.dir, { verify: false });
    this.damaged = null;
  }

  /** Lets go of the open index: it closes now, or when the last question reading it is answered. */
  private retire(): void {
    const previous = this.opened;
    this.opened = null;
    if (previous && !this.leases.has(previous)) previous.close();
  }

  /** A build found the files sound (nothing needed writing): the index is trusted again. */
  trust(): void {
    this.damaged = null;
  }

  close(): void {
    this.opened?.close();
    this.opened = null;
  }
}
