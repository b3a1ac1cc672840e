// Write turns across the processes of a cluster (WORKERS=N on one local file).
//
// SQLite lets one connection write at a time, and a process that finds the write lock taken waits
// in SQLite's busy handler: a synchronous sleep (1, 2, 5, 10 ms…) that blocks its event loop while
// the lock is held for tens of µs. An earlier attempt (a short busy wait plus async retries) let
// one process starve: the other's writers handed the lock on to each other with no gap. So the
// primary hands out the right to write, one worker at a time, in the order they asked (FIFO), over
// the IPC channel it already has to each worker: asynchronous, and fair by construction. A worker
// waiting for its turn keeps serving reads. A worker that holds the turn runs the writes it has
// queued (up to MAX_WRITES_PER_TURN) before giving it back, so one turn's IPC round trip is shared.
// The turn is an optimisation, not what makes writes correct: transactions still BEGIN IMMEDIATE,
// and SQLite's busy timeout still covers writers outside the cluster (operator scripts, cron).
import type { ClusterTurn } from "../db/client";

/** More writes queued in this process than this are left for the next turn: fairness. */
export const MAX_WRITES_PER_TURN = 16;

export type TurnMessage = { type: "turn" } | { type: "turn-granted" } | { type: "turn-done" };

export function isTurnMessage(message: unknown): message is TurnMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return type === "turn" || type === "turn-granted" || type === "turn-done";
}

/**
 * A worker's side: asks the primary for the turn and gives it back. Once the primary has gone
 * (the IPC channel closed) every request is granted at once and SQLite's own locking decides.
 */
export class WorkerTurn implements ClusterTurn {
  private held = false;
  private writes = 0;
  private granted: (() => void) | undefined;
  private detached = false;

  constructor(private readonly sendRaw: (message: TurnMessage) => void) {}

  /** Feed every IPC message from the primary here. */
  onMessage(message: unknown): void {
    if (!isTurnMessage(message) || message.type !== "turn-granted") return;
    if (this.granted) this.grant();
    else if (!this.held) this.send({ type: "turn-done" }); // not asked for: never sit on a turn
  }

  /** The primary has gone: stop waiting for it. */
  detach(): void {
    this.detached = true;
    this.grant();
  }

  async enter(): Promise<void> {
    if (this.held) return;
    if (!this.detached) {
      const granted = new Promise<void>((resolve) => (this.granted = resolve));
      this.send({ type: "turn" });
      await granted;
    }
    this.held = true;
    this.writes = 0;
  }

  leave(moreQueued: boolean): void {
    this.writes++;
    if (moreQueued && this.writes < MAX_WRITES_PER_TURN) return;
    this.held = false;
    if (!this.detached) this.send({ type: "turn-done" });
  }

  private send(message: TurnMessage): void {
    try {
      this.sendRaw(message);
    } catch {
      this.detach(); // the channel is gone: the primary has, or is about to
    }
  }

  private grant(): void {
    const granted = this.granted;
    this.granted = undefined;
    granted?.();
  }
}

/** The primary's side: one holder at a time, the others in the order they asked. */
export class TurnGranter {
  private holder: number | undefined;
  private readonly queue: number[] = [];

  constructor(private readonly send: (slot: number, message: TurnMessage) => void) {}

  onMessage(slot: number, message: TurnMessage): void {
    if (message.type === "turn") {
      if (this.holder === slot) this.send(slot, { type: "turn-granted" }); // asked again: it has it
      if (this.holder === slot || this.queue.includes(slot)) return;
      this.queue.push(slot);
      this.next();
    } else if (message.type === "turn-done" && this.holder === slot) {
      this.holder = undefined;
      this.next();
    }
  }

  /** A worker exited: its turn (held or asked for) goes. SQLite released its lock with the process. */
  forget(slot: number): void {
    const queued = this.queue.indexOf(slot);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (this.holder === slot) {
      this.holder = undefined;
      this.next();
    }
  }

  private next(): void {
    if (this.holder !== undefined) return;
    const slot = this.queue.shift();
    if (slot === undefined) return;
    this.holder = slot;
    this.send(slot, { type: "turn-granted" });
  }
}
