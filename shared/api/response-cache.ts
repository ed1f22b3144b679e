// Pure: responses kept for reuse, keyed by the request and the store state they were built
// from (ReadView.version). A dashboard or a downstream system polls the same few URLs far
// more often than uploads change the data; rebuilding the period body each time (reads,
// target evaluation, JSON of ~160 KB) cost ~6 ms of CPU per request. A key names one
// committed state, so a reused response is exactly what a rebuild would return (it was built
// inside one snapshot: test/int/functions/api/consistency.test.ts). Bounded by entries and bytes, least recently used
// out first; a warm function instance keeps it between invocations.
import type { ApiResponse } from './http.ts';

export type ResponseCacheLimits = { readonly maxEntries: number; readonly maxBytes: number };

export const DEFAULT_CACHE_LIMITS: ResponseCacheLimits = { maxEntries: 256, maxBytes: 32 * 1024 * 1024 };

export class ResponseCache {
  readonly #limits: ResponseCacheLimits;
  // a Map iterates in insertion order: re-inserting on a hit makes the first key the least recent
  readonly #entries = new Map<string, ApiResponse>();
  #bytes = 0;

  constructor(limits: ResponseCacheLimits = DEFAULT_CACHE_LIMITS) {
    this.#limits = limits;
  }

  get(key: string): ApiResponse | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, response: ApiResponse): void {
    const size = bytesOf(response);
    if (size > this.#limits.maxBytes) return;
    this.#remove(key);
    this.#entries.set(key, response);
    this.#bytes += size;
    while (this.#entries.size > this.#limits.maxEntries || this.#bytes > this.#limits.maxBytes) {
      this.#remove(this.#entries.keys().next().value!);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (!old) return;
    this.#entries.delete(key);
    this.#bytes -= bytesOf(old);
  }
}

/** An upper bound of a body's memory: a JS string holds at most two bytes per UTF-16 unit. */
function bytesOf(r: ApiResponse): number {
  return r.body.length * 2;
}
