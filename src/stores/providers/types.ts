// What each store's file provides: its signature check and its event parser.
import type { StoreProvider } from "../../../db/schema";
import type { StoreEvent } from "../event";

export interface StoreAdapter {
  provider: StoreProvider;
  /** Whether deliveries carry a signature (then the endpoint must have a signing secret). */
  signed: boolean;
  /** Throws 401 invalid_signature unless the delivery is signed with `secret` in this store's scheme. */
  verify(secret: string, headers: Headers, rawBody: string, nowMs: number): void;
  /** The native event, normalized; 400 for a body that is not this store's event. */
  parse(rawBody: string, headers: Headers): StoreEvent;
}
