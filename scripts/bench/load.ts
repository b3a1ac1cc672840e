// The load driver: autocannon's programmatic API at a fixed number of connections. One run covers
// warm-up + measurement; only responses completing inside the measured window count, so a
// per-connection token chain is never cut between warm-up and measurement. Latencies are kept
// here at full resolution (autocannon's own histogram rounds to whole milliseconds).
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  path: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** The request sequence of connection `index` (state kept per connection, e.g. token chains). */
  perConnection?: (index: number) => autocannon.Request[];
}

export interface LoadTiming {
  connections: number;
  warmup: number;
  duration: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** CPU the generator process used during the window, in cores (1 = one core saturated). */
  generatorCpu: number;
  statusCodes: Record<string, number>;
}

class Samples {
  private values = new Float64Array(1 << 16);
  length = 0;
  push(value: number) {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  percentiles(...ps: number[]): number[] {
    const sorted = this.values.slice(0, this.length).sort();
    return ps.map((p) =>
      sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) : 0,
    );
  }
}

/** Runs `spec`; `onWindow` is called when the measured window opens (after the warm-up). */
export function runLoad(spec: LoadSpec, timing: LoadTiming, onWindow?: () => void): Promise<LoadResult> {
  const samples = new Samples();
  const statusCodes: Record<string, number> = {};
  let measuring = false;
  let non2xx = 0;
  let errors = 0;
  let windowStart = 0;
  let cpuStart = process.cpuUsage();
  let connection = 0;

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url + spec.path,
        connections: timing.connections,
        duration: timing.warmup + timing.duration,
        timeout: 30,
        method: spec.method ?? "GET",
        headers: spec.headers,
        body: spec.body,
        setupClient: spec.perConnection
          ? (client) => client.setRequests((spec.perConnection as (i: number) => autocannon.Request[])(connection++))
          : undefined,
      },
      (error) => {
        if (error) return reject(error);
        const seconds = (performance.now() - windowStart) / 1000;
        const cpu = process.cpuUsage(cpuStart);
        const [p50 = 0, p99 = 0] = samples.percentiles(0.5, 0.99);
        resolve({
          requests: samples.length,
          rps: samples.length / seconds,
          p50,
          p99,
          non2xx,
          errors,
          seconds,
          generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
          statusCodes,
        });
      },
    );
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (!measuring) return;
      samples.push(ms);
      statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      if (status < 200 || status > 299) non2xx++;
    });
    instance.on("reqError", () => {
      if (measuring) errors++;
    });
    setTimeout(() => {
      measuring = true;
      windowStart = performance.now();
      cpuStart = process.cpuUsage();
      onWindow?.();
    }, timing.warmup * 1000);
  });
}

/**
 * Chained refresh tokens for one connection: it rotates its sessions round-robin, each request
 * presenting the token the previous answer for that session returned. A session whose answer was
 * not a 200 (or never came) is dropped from the rotation rather than replayed as reuse.
 */
export function refreshChain(tokens: string[], path: string): autocannon.Request[] {
  const pool = [...tokens];
  let next = 0;
  let inFlight = -1;
  return [
    {
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      setupRequest(request) {
        if (pool.length === 0) throw new Error("every session of a refresh connection was lost");
        inFlight = next % pool.length;
        next = inFlight + 1;
        return { ...request, body: JSON.stringify({ refreshToken: pool[inFlight] }) };
      },
      onResponse(status, body) {
        if (status === 200) pool[inFlight] = (JSON.parse(body) as { refreshToken: string }).refreshToken;
        else pool.splice(inFlight, 1);
      },
    },
  ];
}

/**
 * A second opinion on the generator: the same GET with autocannon's load spread over `threads`
 * worker threads (autocannon's own counters; no per-request hooks cross threads).
 */
export function runThreaded(url: string, timing: LoadTiming, threads: number): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections: timing.connections, duration: timing.duration, workers: threads },
      (error, result) => (error ? reject(error) : resolve(result.requests.total / result.duration)),
    );
  });
}
