// Every store seatkey speaks, by provider name.
import type { StoreProvider } from "../../../db/schema";
import { gumroad } from "./gumroad";
import { lemonsqueezy } from "./lemonsqueezy";
import { paddle } from "./paddle";
import { stripe } from "./stripe";
import type { StoreAdapter } from "./types";

export const STORES: Readonly<Record<StoreProvider, StoreAdapter>> = { stripe, lemonsqueezy, paddle, gumroad };
export type { StoreAdapter };
