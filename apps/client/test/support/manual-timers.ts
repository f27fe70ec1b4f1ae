import type { Timers } from '../../src/lock/timers.js';

/** Timers the test moves forward by hand; due callbacks run in order of their due time. */
export class ManualTimers implements Timers {
  private current = Date.UTC(2026, 0, 5, 9, 0, 0);
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.current + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Delays of the timers waiting now, soonest first. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.current).sort((a, b) => a - b);
  }
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.current = due[1].at;
      due[1].fn();
    }
    this.current = until;
  }
}
