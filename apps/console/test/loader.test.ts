import { describe, expect, it } from 'vitest';
import { Loader } from '../src/data/loader';

interface Pending {
  signal: AbortSignal;
  resolve: (value: string) => void;
  reject: (error: unknown) => void;
}

/** A Loader with loads, timers and the tab's visibility driven by hand. */
function harness({ pollMs, visible = true }: { pollMs?: number; visible?: boolean } = {}) {
  const loads: Pending[] = [];
  const reports: string[] = [];
  let shown = visible;
  const listeners = new Set<() => void>();
  const timers: { ms: number; tick: () => void; cancelled: boolean }[] = [];
  const loader = new Loader<string>({
    load: (signal) => new Promise<string>((resolve, reject) => loads.push({ signal, resolve, reject })),
    onStart: () => reports.push('loading'),
    onData: (value) => reports.push(`data ${value}`),
    onError: (error) => reports.push(`error ${String(error)}`),
    pollMs,
    visibility: {
      isVisible: () => shown,
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    every: (ms, tick) => {
      const timer = { ms, tick, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  });
  const running = () => timers.filter((t) => !t.cancelled);
  return {
    loader,
    loads,
    reports,
    running,
    /** What the interval would do when its time comes. */
    tick: () => running().forEach((t) => t.tick()),
    setVisible: (value: boolean) => {
      shown = value;
      for (const listener of [...listeners]) listener();
    },
    listeners,
  };
}

/** Lets the loader's promise callbacks run. */
const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('Loader', () => {
  it('aborts the older load when a newer one starts, and never reports the older answer', async () => {
    const h = harness();
    h.loader.start();
    h.loader.refresh();
    expect(h.loads).toHaveLength(2);
    expect(h.loads[0]!.signal.aborted).toBe(true);
    expect(h.loads[1]!.signal.aborted).toBe(false);

    // The older answer arrives last: it must not overwrite the newer one.
    h.loads[1]!.resolve('new');
    await settled();
    h.loads[0]!.resolve('old');
    await settled();
    expect(h.reports).toEqual(['loading', 'loading', 'data new']);
  });

  it('reports no error for a load it aborted (fetch rejects it)', async () => {
    const h = harness();
    h.loader.start();
    h.loader.refresh();
    h.loads[0]!.reject(new Error('aborted'));
    h.loads[1]!.reject(new Error('server down'));
    await settled();
    expect(h.reports).toEqual(['loading', 'loading', 'error Error: server down']);
  });

  it('aborts the load in flight when stopped (the page unmounts) and reports nothing afterwards', async () => {
    const h = harness({ pollMs: 5000 });
    h.loader.start();
    h.loader.stop();
    expect(h.loads[0]!.signal.aborted).toBe(true);
    h.loads[0]!.resolve('late');
    await settled();
    h.loader.refresh();
    h.setVisible(false);
    h.setVisible(true);
    expect(h.loads).toHaveLength(1);
    expect(h.running()).toHaveLength(0);
    expect(h.listeners.size).toBe(0);
    expect(h.reports).toEqual(['loading']);
  });

  it('polls while the tab is visible, pauses while it is hidden, and refreshes at once when it is shown again', async () => {
    const h = harness({ pollMs: 5000 });
    h.loader.start();
    expect(h.running().map((t) => t.ms)).toEqual([5000]);
    h.loads[0]!.resolve('first');
    await settled();
    h.tick();
    expect(h.loads).toHaveLength(2);
    h.loads[1]!.resolve('second');
    await settled();

    h.setVisible(false);
    expect(h.running()).toHaveLength(0);
    h.tick();
    expect(h.loads).toHaveLength(2);

    h.setVisible(true);
    expect(h.loads).toHaveLength(3);
    expect(h.running()).toHaveLength(1);
    h.loads[2]!.resolve('third');
    await settled();
    expect(h.reports).toEqual(['loading', 'data first', 'loading', 'data second', 'loading', 'data third']);
  });

  it('started in a hidden tab, loads once and polls only after the tab is shown', () => {
    const h = harness({ pollMs: 5000, visible: false });
    h.loader.start();
    expect(h.loads).toHaveLength(1);
    expect(h.running()).toHaveLength(0);
    h.setVisible(true);
    expect(h.running()).toHaveLength(1);
  });

  it('lets a slow poll finish instead of aborting it with the next tick', async () => {
    const h = harness({ pollMs: 5000 });
    h.loader.start();
    h.tick();
    expect(h.loads).toHaveLength(1);
    expect(h.loads[0]!.signal.aborted).toBe(false);
    h.loads[0]!.resolve('slow');
    await settled();
    h.tick();
    expect(h.loads).toHaveLength(2);
  });

  it('does not poll without pollMs, whatever the tab does', () => {
    const h = harness();
    h.loader.start();
    h.setVisible(false);
    h.setVisible(true);
    expect(h.loads).toHaveLength(1);
    expect(h.running()).toHaveLength(0);
  });
});
