// Pure: per-upload sets and maps keyed by strings, held as 64-bit hashes in typed arrays.
// The table mapper remembers every school of an upload (the duplicate and branch rules);
// as strings in Maps that cost ~500 bytes a school (the key, a JSON fingerprint, a record,
// and the decoded text a sliced key kept alive): 300 000 rows took 200 MiB. Here a school
// is a few dozen bytes. Two different keys share a 64-bit hash with a probability of about
// n² / 2⁶⁵ — 3·10⁻⁸ for a million schools — which would make two schools one duplicate pair.

/** A 64-bit hash of a string as two 32-bit halves (two multiplicative lanes, cross-mixed). */
export function hash64(s: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef ^ s.length;
  let h2 = 0x41c6ce57 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/**
 * The keys of a set or map as dense entries 0, 1, 2, … (in insertion order), found through
 * an open-addressing index. A map keeps its values in its own arrays indexed by entry.
 */
export class HashIndex {
  #hi = new Uint32Array(64);
  #lo = new Uint32Array(64);
  #slots = new Int32Array(128); // entry + 1; 0 is empty
  #size = 0;
  readonly #h = new Uint32Array(2);

  get size(): number {
    return this.#size;
  }

  /** Entries the dense arrays can hold before they grow (a map grows its values with them). */
  get capacity(): number {
    return this.#hi.length;
  }

  /** The entry of `key`, or -1. */
  find(key: string): number {
    hash64(key, this.#h);
    return this.#lookup(this.#h[0]!, this.#h[1]!);
  }

  /** The entry of `key`, added when absent; `added` says which. */
  upsert(key: string): { entry: number; added: boolean } {
    hash64(key, this.#h);
    const hi = this.#h[0]!;
    const lo = this.#h[1]!;
    const found = this.#lookup(hi, lo);
    if (found >= 0) return { entry: found, added: false };
    if (this.#size === this.#hi.length) {
      const cap = Math.ceil(this.#hi.length * 1.5);
      this.#hi = grow(this.#hi, cap);
      this.#lo = grow(this.#lo, cap);
    }
    const entry = this.#size++;
    this.#hi[entry] = hi;
    this.#lo[entry] = lo;
    if (this.#size * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    else this.#place(entry);
    return { entry, added: true };
  }

  #lookup(hi: number, lo: number): number {
    const mask = this.#slots.length - 1;
    for (let i = (hi ^ lo) & mask; ; i = (i + 1) & mask) {
      const s = this.#slots[i]!;
      if (s === 0) return -1;
      if (this.#hi[s - 1] === hi && this.#lo[s - 1] === lo) return s - 1;
    }
  }

  #place(entry: number): void {
    const mask = this.#slots.length - 1;
    let i = (this.#hi[entry]! ^ this.#lo[entry]!) & mask;
    while (this.#slots[i] !== 0) i = (i + 1) & mask;
    this.#slots[i] = entry + 1;
  }

  #rehash(size: number): void {
    this.#slots = new Int32Array(size);
    for (let e = 0; e < this.#size; e++) this.#place(e);
  }
}

/** A typed array grown to `length`, its contents kept. */
export function grow<T extends Uint8Array | Uint16Array | Uint32Array>(a: T, length: number): T {
  if (a.length >= length) return a;
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

const NULL16 = 0xffff;

/**
 * The duplicate rule's memory of one table: per school (by period and school key) the row
 * that first carried it, a hash of the values that tell an identical repeat from a
 * conflicting one, whether it conflicted, whether it was handed out, and its counts (to take
 * a retracted row out of the sums again: 16 bits each, a larger count kept aside).
 */
export class SeenSchools {
  readonly #index = new HashIndex();
  readonly #width: number;
  #row = new Uint32Array(64);
  #fp = new Uint32Array(128);
  #flags = new Uint8Array(64);
  #counts: Uint16Array;
  readonly #large = new Map<number, (number | null)[]>();
  readonly #h = new Uint32Array(2);

  /** `width`: how many counts each school keeps. */
  constructor(width: number) {
    this.#width = width;
    this.#counts = new Uint16Array(64 * width);
  }

  get size(): number {
    return this.#index.size;
  }

  find(key: string): number {
    return this.#index.find(key);
  }

  /** Remembers a school not seen before; returns its entry. */
  add(key: string, row: number, fingerprint: string, counts: readonly (number | null)[]): number {
    const { entry } = this.#index.upsert(key);
    const cap = this.#index.capacity;
    this.#row = grow(this.#row, cap);
    this.#fp = grow(this.#fp, cap * 2);
    this.#flags = grow(this.#flags, cap);
    this.#counts = grow(this.#counts, cap * this.#width);
    this.#row[entry] = row;
    hash64(fingerprint, this.#h);
    this.#fp[entry * 2] = this.#h[0]!;
    this.#fp[entry * 2 + 1] = this.#h[1]!;
    this.#flags[entry] = EMITTED;
    if (counts.some((v) => v !== null && (v < 0 || v >= NULL16 || !Number.isInteger(v)))) this.#large.set(entry, [...counts]);
    else for (let i = 0; i < this.#width; i++) this.#counts[entry * this.#width + i] = counts[i] ?? NULL16;
    return entry;
  }

  row(entry: number): number {
    return this.#row[entry]!;
  }

  sameValues(entry: number, fingerprint: string): boolean {
    hash64(fingerprint, this.#h);
    return this.#fp[entry * 2] === this.#h[0] && this.#fp[entry * 2 + 1] === this.#h[1];
  }

  conflicted(entry: number): boolean {
    return (this.#flags[entry]! & CONFLICTED) !== 0;
  }

  emitted(entry: number): boolean {
    return (this.#flags[entry]! & EMITTED) !== 0;
  }

  /** A conflicting repeat arrived: the school is rejected, and no longer handed out. */
  markConflicted(entry: number): void {
    this.#flags[entry] = CONFLICTED;
  }

  counts(entry: number): (number | null)[] {
    const large = this.#large.get(entry);
    if (large) return large;
    return Array.from({ length: this.#width }, (_, i) => {
      const v = this.#counts[entry * this.#width + i]!;
      return v === NULL16 ? null : v;
    });
  }
}

const EMITTED = 1;
const CONFLICTED = 2;
