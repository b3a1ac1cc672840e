// Stripe leaves a checkout's line items out of checkout.session.completed. When STRIPE_API_KEY is
// configured, they are fetched with the official SDK (outside any transaction); STRIPE_API_BASE
// points the SDK elsewhere (tests: a local stub standing in for api.stripe.com).
import Stripe from "stripe";
import type { Deps } from "../deps";
import type { StoreEvent } from "./event";

export async function withCheckoutLineItems(deps: Pick<Deps, "config">, event: StoreEvent): Promise<StoreEvent> {
  const { change } = event;
  const key = deps.config.stripeApiKey;
  if (event.provider !== "stripe" || change.kind !== "license" || change.items !== "fetch" || !key) return event;
  const sessionId = change.aliases[0];
  if (!sessionId) return event;
  const stripe = new Stripe(key, { ...apiBase(deps.config.stripeApiBase), maxNetworkRetries: 1, timeout: 10_000 });
  const items = await stripe.checkout.sessions.listLineItems(sessionId, { limit: 100 });
  return {
    ...event,
    change: {
      ...change,
      items: items.data.map((line) => ({
        keys: [
          line.price?.id,
          typeof line.price?.product === "string" ? line.price.product : line.price?.product?.id,
        ].filter((k): k is string => typeof k === "string"),
        quantity: line.quantity ?? 1,
      })),
    },
  };
}

function apiBase(base: string | undefined): { host?: string; port?: number; protocol?: "http" | "https" } {
  if (!base) return {};
  const url = new URL(base);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: Number(url.port || (protocol === "http" ? 80 : 443)), protocol };
}
