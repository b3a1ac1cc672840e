// Browser tabs sharing one cookie-mode session: a Web Lock makes every refresh exclusive across
// tabs (two at once would present one cookie twice), and a BroadcastChannel hands each new access
// token, and a sign-out, to the other tabs so they need no refresh of their own. Where either API
// is missing (Node, Bun, old browsers) the link does nothing and one process is the only holder.
import type { SignOutReason } from "./types.js";
import type { AuthAnswer } from "./http.js";

export type TabMessage =
  { kind: "answer"; answer: AuthAnswer; receivedAt: number } | { kind: "signed_out"; reason: SignOutReason | null };

export interface TabLink {
  /** Runs `fn` while no other tab runs its own. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  publish(message: TabMessage): void;
  close(): void;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export function linkTabs(name: string, onMessage: (message: TabMessage) => void): TabLink {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(name) : undefined;
  if (channel) channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  return {
    exclusive: (fn) => (locks ? locks.request(name, fn) : fn()),
    publish: (message) => channel?.postMessage(message),
    close: () => channel?.close(),
  };
}

/** A link for a single holder (memory and file stores: one session per client). */
export const soloLink: TabLink = { exclusive: (fn) => fn(), publish: () => {}, close: () => {} };
