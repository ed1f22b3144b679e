// Port: time. "Now" is I/O; the pure core gets it as an argument, and tests inject a clock.
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
