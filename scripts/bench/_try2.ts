import autocannon from "autocannon";
import { freePort, sampleServer, startHello } from "./server";
const port = freePort();
const hello = await startHello(port, "/tmp/bx/hello.log");
for (const workers of [undefined, 2]) {
  await new Promise((r) => (autocannon as any)({ url: hello.url, connections: 16, duration: 2, workers }, r));
  const s = sampleServer(hello.pid);
  const res: any = await new Promise((r) => (autocannon as any)({ url: hello.url, connections: 16, duration: 5, workers }, (e: any, x: any) => r(x)));
  console.log(workers, res.requests.average, res.latency.p99, JSON.stringify(s.stop()));
}
await hello.stop();
