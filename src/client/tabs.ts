// Browser tabs sharing one cookie-mode session: a Web Lock makes every refresh exclusive across
// tabs (two at once would present one cookie twice), and a BroadcastChannel hands each new access
// token, and a sign-out, to the other tabs so they need no refresh of their own. Where either API
// is missing (Node, Bun, old browsers) the link does nothing and one process is the only holder.
import type { SignOutReason } from "./types.js";
import type { AuthAnswer } from "./http.js";

export type TabMessage =
  { kind: "answer"; answer: AuthAnswer; receivedAt: number } | { kind: "signed_out"; reason: SignOutReason | null };

export interface TabLink {
  /**
   * Runs `fn` while no other tab runs its own. When another tab held the lock, first waits (briefly)
   * for its answer to arrive over the channel while `stillNeeded()`: a lock can be granted before the
   * holder's message is delivered, and `fn` should find the token that message carries.
   */
  exclusive<T>(fn: () => Promise<T>, stillNeeded: () => boolean): Promise<T>;
  publish(message: TabMessage): void;
  close(): void;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: object | null) => Promise<T>): Promise<T>;
}

const HANDOFF_MS = 1000;

export function linkTabs(name: string, onMessage: (message: TabMessage) => void): TabLink {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(name) : undefined;
  const waiting: (() => void)[] = [];
  if (channel) {
    channel.onmessage = (event: MessageEvent<TabMessage>) => {
      onMessage(event.data);
      for (const wake of waiting.splice(0)) wake();
    };
  }
  const nextMessage = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      setTimeout(resolve, HANDOFF_MS); // the other tab failed (offline): go ahead ourselves
    });

  async function exclusive<T>(fn: () => Promise<T>, stillNeeded: () => boolean): Promise<T> {
    if (!locks) return fn();
    const mine = await locks.request(name, { ifAvailable: true }, async (lock) =>
      lock ? { value: await fn() } : null,
    );
    if (mine) return mine.value;
    return locks.request(name, async () => {
      if (stillNeeded()) await nextMessage();
      return fn();
    });
  }

  return {
    exclusive,
    publish: (message) => channel?.postMessage(message),
    close: () => channel?.close(),
  };
}

/** A link for a single holder (memory and file stores: one session per client). */
export const soloLink: TabLink = { exclusive: (fn) => fn(), publish: () => {}, close: () => {} };
