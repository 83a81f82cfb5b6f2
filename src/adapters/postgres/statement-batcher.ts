/** One call waiting for its batch. */
interface Waiting<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (err: unknown) => void;
}

export interface StatementBatcherOptions<In, Out> {
  /** Runs several calls as one statement (one round trip, one commit); one result per input, in order. */
  runMany: (inputs: In[]) => Promise<Out[]>;
  /** Runs one call alone: a batch of one, and each call of a batch that failed (default: runMany of it). */
  runOne?: (input: In) => Promise<Out>;
  /**
   * The row a call writes: calls with one key never share a statement (one UPDATE … FROM unnest may not
   * touch a row twice), the later ones go in a later statement, in call order.
   */
  keyOf?: (input: In) => string;
  /** Largest batch (default 1,000): a full batch goes at once. */
  max?: number;
}

/**
 * Group commit for PostgreSQL, per operation: the calls of one operation made in one turn of the event
 * loop run as one statement, so a hundred concurrent `transition`s cost one round trip and one WAL flush
 * instead of a hundred (and a hundred receipt look-ups one round trip). Each caller's promise settles
 * with its own result once that statement finished (committed, for a write). When the batch statement
 * fails, each call is run again alone, so a bad call (a duplicate id, say) fails alone with its own error
 * and the others are written.
 */
export class StatementBatcher<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private scheduled = false;
  /** Statements run and calls written by them, for tests and metrics. */
  readonly stats = { batches: 0, calls: 0 };

  private readonly runOne: (input: In) => Promise<Out>;

  constructor(private readonly opts: StatementBatcherOptions<In, Out>) {
    this.runOne = opts.runOne ?? (async (input) => (await opts.runMany([input]))[0] as Out);
  }

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length >= (this.opts.max ?? 1000)) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.waiting;
    this.waiting = [];
    if (all.length > 0) void this.write(all);
  }

  /** Writes the calls in rounds in which no key repeats, one round after the other. */
  private async write(all: Waiting<In, Out>[]): Promise<void> {
    for (const round of rounds(all, this.opts.keyOf)) await this.writeRound(round);
  }

  private async writeRound(round: Waiting<In, Out>[]): Promise<void> {
    this.stats.batches++;
    this.stats.calls += round.length;
    if (round.length === 1) {
      const [w] = round as [Waiting<In, Out>];
      await this.runOne(w.input).then(w.resolve, w.reject);
      return;
    }
    let outs: Out[];
    try {
      outs = await this.opts.runMany(round.map((w) => w.input));
    } catch {
      // nothing of the batch was written (one statement): each call alone, with its own outcome
      await Promise.all(round.map((w) => this.runOne(w.input).then(w.resolve, w.reject)));
      return;
    }
    round.forEach((w, i) => {
      w.resolve(outs[i] as Out);
    });
  }
}

/** Splits calls into rounds in which each key appears once, keeping each key's calls in order. */
function rounds<T extends { input: I }, I>(all: T[], keyOf?: (input: I) => string): T[][] {
  if (!keyOf) return [all];
  const out: T[][] = [];
  const roundOfKey = new Map<string, number>();
  for (const w of all) {
    const key = keyOf(w.input);
    const r = (roundOfKey.get(key) ?? -1) + 1;
    roundOfKey.set(key, r);
    const round = out[r];
    if (round) round.push(w);
    else out[r] = [w];
  }
  return out;
}
