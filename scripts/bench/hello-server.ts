// The HTTP ceiling: a bare Elysia hello-world on the same Bun, nothing else.
import { Elysia } from "elysia";

const port = Number(process.env.PORT ?? 3000);
const app = new Elysia().get("/", () => "hello").listen({ port, hostname: "127.0.0.1" });
process.on("SIGTERM", async () => {
  await app.stop();
  process.exit(0);
});
