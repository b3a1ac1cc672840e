// The background runner of an outbox (mail, events): `kick` starts a pass now (a kick during a
// pass asks for one more), `flush` waits for the pass and drains what is due, `pollEvery` adds a
// timer for retries and rows queued by other processes. Never throws.
import type { Logger } from "./log";

/** An error's message for logs and last_error: short, and no credentials of a URL in it. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\/\/[^@/\s]*@/g, "//***@").slice(0, 500);
}

export interface BatchRun {
  /** Rows claimed in this batch (a full batch means there may be more). */
  claimed: number;
  sent: number;
}

export interface BatchRunner {
  /** Starts sending what is due in the background, now; never throws, never blocks the caller. */
  kick(): void;
  /** Waits for the background run, then sends everything due now (scripts call this before exit). */
  flush(): Promise<{ sent: number; failed: number }>;
  /** Resolves when no background run is going on. */
  idle(): Promise<void>;
}

export function createBatchRunner(input: {
  name: string;
  batchSize: number;
  log: Pick<Logger, "error">;
  processBatch(): Promise<BatchRun>;
}): BatchRunner {
  let running: Promise<void> | undefined;
  let again = false;
  const drain = async () => {
    do {
      again = false;
      try {
        while ((await input.processBatch()).claimed === input.batchSize) {}
      } catch (error) {
        input.log.error(`${input.name} run failed`, { error: errorMessage(error) });
      }
    } while (again);
  };
  return {
    kick() {
      if (running) {
        again = true;
        return;
      }
      running = drain().finally(() => {
        running = undefined;
      });
    },
    async flush() {
      const total = { sent: 0, failed: 0 };
      await running;
      for (;;) {
        const run = await input.processBatch();
        total.sent += run.sent;
        total.failed += run.claimed - run.sent;
        if (run.claimed < input.batchSize) return total;
      }
    },
    async idle() {
      await running;
    },
  };
}

export interface Poller {
  stop(): Promise<void>;
}

/** Kicks `runner` now and every `intervalMs` until stopped (stop waits for the run in progress). */
export function pollEvery(runner: BatchRunner, intervalMs: number): Poller {
  const timer = setInterval(() => runner.kick(), intervalMs);
  timer.unref?.();
  runner.kick();
  return {
    async stop() {
      clearInterval(timer);
      await runner.idle();
    },
  };
}
