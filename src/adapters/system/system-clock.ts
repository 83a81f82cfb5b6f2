import type { Clock } from "../../domain/shared/clock.port.js";

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The machine's clock, shifted so that it read `start` when created and runs on in real time from there
 * (ANNING_TEST_CLOCK_START: simulations and benchmarks inside the marketing window at any hour).
 */
export function shiftedClock(start: number): Clock {
  const offset = start - Date.now();
  return { now: () => Date.now() + offset };
}

/** A clock tests can set and move. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
