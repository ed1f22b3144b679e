// Adapter support: one remote read shared by the callers of a key who arrive while it has
// not begun, and never by one who arrives after it began. A caller's value is therefore
// read by a request that started after the caller asked — as fresh as a read of its own —
// yet under load one read answers every caller that arrived during the previous one: at
// 50 requests in flight, the API's read token costs one YDB round trip per cohort instead of
// one per request (the call's client CPU was more than the rest of a cached response).
// A failed read fails its own cohort only; the next cohort reads again.

type Flight<V> = { readonly running: Promise<V>; next?: Promise<V> };

export class FreshReads<K, V> {
  readonly #read: (key: K) => Promise<V>;
  // one entry per key with a read in flight: bounded by the keys read at once
  readonly #flights = new Map<K, Flight<V>>();

  constructor(read: (key: K) => Promise<V>) {
    this.#read = read;
  }

  get(key: K): Promise<V> {
    const flight = this.#flights.get(key);
    if (!flight) return this.#start(key);
    // the read in flight began before this caller asked: it may miss a commit the caller
    // must see, so the caller waits for the next one, shared with all who arrive meanwhile
    return (flight.next ??= flight.running.then(
      () => this.#start(key),
      () => this.#start(key),
    ));
  }

  #start(key: K): Promise<V> {
    const flight: Flight<V> = { running: this.#read(key) };
    this.#flights.set(key, flight);
    const done = () => {
      // the cohort waiting on `next` starts its read in this same turn and takes the slot
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    flight.running.then(done, done);
    return flight.running;
  }
}
