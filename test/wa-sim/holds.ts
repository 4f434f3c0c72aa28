/**
 * Held answers: a test asks the server to sit on its answer to the next query of one kind from one
 * account's device (the recipient's device list — usync —, or pre-key bundles) until it says so.
 * The connection keeps working meanwhile (pings, other stanzas): only that one answer waits, the
 * way a slow WhatsApp backend looks to a client. Used to push a send past its timeout.
 */
export type HeldQuery = 'usync' | 'prekeys';

export interface Hold {
  /** Resolves when a matching query arrived and is being held. */
  readonly caught: Promise<void>;
  /** Lets the held answer go (idempotent; before `caught`, the next query is not held at all). */
  release(): void;
}

interface Pending {
  query: HeldQuery;
  phone: string | undefined;
  caught: () => void;
  released: Promise<void>;
}

export class QueryHolds {
  private readonly pending: Pending[] = [];

  hold(query: HeldQuery, phone?: string): Hold {
    let caught!: () => void;
    let release!: () => void;
    const caughtP = new Promise<void>((r) => (caught = r));
    const released = new Promise<void>((r) => (release = r));
    const entry: Pending = { query, phone, caught, released };
    this.pending.push(entry);
    return {
      caught: caughtP,
      release: () => {
        const i = this.pending.indexOf(entry);
        if (i >= 0) this.pending.splice(i, 1);
        release();
      },
    };
  }

  /** For a query from `phone`'s device: a promise to wait on before answering, or undefined. */
  take(query: HeldQuery, phone: string | undefined): Promise<void> | undefined {
    const i = this.pending.findIndex((p) => p.query === query && (p.phone === undefined || p.phone === phone));
    if (i < 0) return undefined;
    const [entry] = this.pending.splice(i, 1);
    entry!.caught();
    return entry!.released;
  }
}
