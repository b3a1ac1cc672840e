// A background runner for an outbox: `kick` starts a pass now (a kick during a pass asks for one
// more), a timer polls for retries and for rows queued by other processes, `flush` waits for the
// pass and drains what is due. One runner per outbox and database handle; never throws.
import type { Logger } from "./log";

export interface BatchRun {
  /** Rows claimed in this batch (a full batch means there may be more). */
  claimed: number;
  sent: number;
}

export interface BatchRunner {
  kick(): void;
  flush(): Promise<{ sent: number; failed: number }>;
  /** Polls every `intervalMs` until stopped. */
  start(intervalMs: number): { stop(): Promise<void> };
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
        input.log.error(`${input.name} run failed`, { error: error instanceof Error ? error.message : String(error) });
      }
    } while (again);
  };

  const kick = () => {
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = undefined;
    });
  };

  return {
    kick,
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
    start(intervalMs) {
      const timer = setInterval(kick, intervalMs);
      timer.unref?.();
      kick();
      return {
        async stop() {
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}
