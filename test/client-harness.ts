// Test harness for seatkey/client: fake timers the test moves by hand (the client's clock), and a
// recording fetch over real HTTP that can drop an answer after the server has sent it.
import type { FetchLike, Timers } from "../src/client";

interface Task {
  at: number;
  fn: () => unknown;
}

/** The client's time: moves only when told to; advance() runs what falls due, awaiting each task. */
export class FakeTimers implements Timers {
  current = Date.UTC(2026, 0, 1);
  tasks: Task[] = [];
  /** Every delay asked for (ms), in order. */
  delays: number[] = [];

  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): Task {
    const task = { at: this.current + ms, fn };
    this.tasks.push(task);
    this.delays.push(ms);
    return task;
  }
  clearTimeout(handle: unknown): void {
    this.tasks = this.tasks.filter((task) => task !== handle);
  }
  /** Moves the clock without running anything (time passing while nothing was scheduled). */
  jump(ms: number): void {
    this.current += ms;
  }
  /** Moves the clock by `ms`, running each task that falls due, in order, and awaiting its work. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle(); // let the client reach its next timer (a retry's back-off) before looking
      const due = this.tasks.filter((task) => task.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((task) => task !== due);
      this.current = due.at;
      await due.fn();
    }
    this.current = end;
  }
}

/** Lets pending promise chains run to their next wait (no time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface Recorded {
  path: string;
  body: Record<string, unknown>;
  status: number | "dropped";
}

/** A fetch that records every call; dropNext(path) lets the server answer, then loses the answer. */
export function recordingFetch() {
  const calls: Recorded[] = [];
  const drops = new Set<string>();
  let failAll = false;
  const fetchLike: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    const entry: Recorded = { path, body: JSON.parse(String(init.body ?? "{}")), status: "dropped" };
    calls.push(entry);
    if (failAll) throw new TypeError("fetch failed: network is down");
    const res = await fetch(url, init);
    if (drops.delete(path)) {
      await res.arrayBuffer(); // the server did its work and answered; the answer never arrives
      throw new TypeError("fetch failed: connection reset");
    }
    entry.status = res.status;
    return res;
  };
  return {
    fetch: fetchLike,
    calls,
    to: (path: string) => calls.filter((call) => call.path === path),
    dropNext: (path: string) => drops.add(path),
    setOffline: (offline: boolean) => {
      failAll = offline;
    },
  };
}
