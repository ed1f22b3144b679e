// Adapter support: one remote read shared by the callers of a key who ask before it begins,
// and never by one who asks after it began. A caller's value is therefore read by a request
// that started after the caller asked — as fresh as a read of its own — yet under load one
// read answers every caller that asked while the previous one was in flight: at 50 requests
// in flight, the API's read token costs one YDB round trip per cohort instead of one per
// request (the call's client CPU was more than the rest of a cached response). A read
// begins one event-loop turn after its first caller asks, so the callers of one burst of
// I/O share it rather than the first starting a read alone. A failed read fails its own
// cohort only; the next cohort reads again.

type Cohort<V> = { readonly value: Promise<V>; readonly settle: (read: Promise<V>) => void };
type KeyState<V> = { running: boolean; waiting?: Cohort<V> };

export class FreshReads<K, V> {
  readonly #read: (key: K) => Promise<V>;
  // an entry per key with a read in flight or callers waiting: bounded by the keys read at once
  readonly #keys = new Map<K, KeyState<V>>();

  constructor(read: (key: K) => Promise<V>) {
    this.#read = read;
  }

  get(key: K): Promise<V> {
    let state = this.#keys.get(key);
    if (!state) this.#keys.set(key, (state = { running: false }));
    if (state.waiting) return state.waiting.value;
    const waiting = cohort<V>();
    state.waiting = waiting;
    // with a read in flight, it began before this caller asked: the cohort begins when it ends
    if (!state.running) setImmediate(() => this.#begin(key, state));
    return waiting.value;
  }

  #begin(key: K, state: KeyState<V>): void {
    const { settle } = state.waiting!;
    state.waiting = undefined;
    state.running = true;
    const read = new Promise<V>((resolve) => resolve(this.#read(key)));
    settle(read);
    const done = () => {
      state.running = false;
      if (state.waiting) this.#begin(key, state);
      else this.#keys.delete(key);
    };
    read.then(done, done);
  }
}

function cohort<V>(): Cohort<V> {
  let settle!: (read: Promise<V>) => void;
  const value = new Promise<V>((resolve) => (settle = resolve));
  return { value, settle };
}
