// Test helper: an injected clock and a scripted random source.

export function manualClock(startMs = Date.UTC(2023, 2, 11, 9, 0, 0)) {
  let now = startMs;
  return {
    nowMs: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

/** Returns the scripted values in turn, then the last one forever. */
export function scriptedRandom(values: number[]) {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

