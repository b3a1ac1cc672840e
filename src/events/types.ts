// The events seatkey sends to the seller's systems, and what each one carries: ids and facts,
// never a secret, a token or a password hash.
export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "license.created",
  "license.updated",
  "license.deleted",
  "seat.taken",
  "seat.released",
  "session.revoked",
  "refresh.reuse_detected",
  "password.changed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

type Id = string;
type Fields = Record<string, string | number | boolean | null | string[]>;

export interface EventDataByType {
  "user.created": { userId: Id } & Fields;
  /** changed: the names of the fields that changed. */
  "user.updated": { userId: Id; changed: string[] } & Fields;
  "user.deleted": { userId: Id } & Fields;
  "license.created": { licenseId: Id; userId: Id; productId: string; seats: number; validUntil: number } & Fields;
  "license.updated": { licenseId: Id; userId: Id; changed: string[] } & Fields;
  "license.deleted": { licenseId: Id; userId: Id; productId: string } & Fields;
  "seat.taken": { userId: Id; sessionId: Id; productId: string | null } & Fields;
  /**
   * reason: logout, revocation, license_change, no_free_seat, cool_down_ended. cooling: the seat
   * stays counted until seatFreeAt (Unix ms), when a second release, cool_down_ended, says it is
   * free; otherwise it is free now (README "Events out").
   */
  "seat.released": {
    userId: Id;
    sessionId: Id;
    productId: string | null;
    reason: string;
    cooling: boolean;
    seatFreeAt: number;
  } & Fields;
  "session.revoked": { userId: Id; sessionId: Id; reason: string } & Fields;
  "refresh.reuse_detected": { userId: Id; sessionId: Id } & Fields;
  "password.changed": { userId: Id } & Fields;
}

export type EventOf<T extends EventType> = { type: T; data: EventDataByType[T] };
export type SeatkeyEvent = { [T in EventType]: EventOf<T> }[EventType];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
