// bun run build: the client libraries into dist/ (what `npm pack` ships; run on prepack).
//   ESM bundles by bun build — seatkey/client has no dependency at all, seatkey/verify only jose
//   (and its Elysia adapter elysia) — and .d.ts files by tsc. The server is not part of dist/.
import { rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const DIST = join(ROOT, "dist");

/** Each group is one bun build: entries of a group share chunks (one VerifyError class). */
const GROUPS: { target: "browser" | "node"; entrypoints: string[] }[] = [
  { target: "browser", entrypoints: ["src/client/index.ts"] },
  { target: "node", entrypoints: ["src/client/file.ts"] },
  {
    target: "browser", // plain ESM: Node, Bun, Deno, workers
    entrypoints: ["src/verify/index.ts", "src/verify/elysia.ts", "src/verify/hono.ts", "src/verify/express.ts"],
  },
];
export const LIB_ENTRYPOINTS = GROUPS.flatMap((group) => group.entrypoints);

async function bundle(): Promise<void> {
  for (const group of GROUPS) {
    const result = await Bun.build({
      entrypoints: group.entrypoints.map((entry) => join(ROOT, entry)),
      root: join(ROOT, "src"),
      outdir: DIST,
      target: group.target,
      format: "esm",
      splitting: true,
      external: ["jose", "elysia", "hono", "express"],
      naming: { entry: "[dir]/[name].[ext]", chunk: "shared/[name]-[hash].[ext]" },
    });
    if (!result.success) throw new AggregateError(result.logs, "bun build failed");
  }
}

function declarations(): void {
  const tsc = Bun.spawnSync(
    [
      join(ROOT, "node_modules/.bin/tsc"),
      ...["--declaration", "--emitDeclarationOnly", "--outDir", DIST, "--rootDir", join(ROOT, "src")],
      ...["--target", "ES2022", "--module", "ESNext", "--moduleResolution", "bundler"],
      ...["--lib", "ES2022,DOM,DOM.Iterable", "--types", "bun", "--strict", "--skipLibCheck"],
      ...LIB_ENTRYPOINTS.map((entry) => join(ROOT, entry)),
    ],
    { cwd: ROOT, stdout: "inherit", stderr: "inherit" },
  );
  if (tsc.exitCode !== 0) throw new Error(`tsc --emitDeclarationOnly failed (${tsc.exitCode})`);
}

if (import.meta.main) {
  rmSync(DIST, { recursive: true, force: true });
  await bundle();
  declarations();
  console.log(`built ${LIB_ENTRYPOINTS.length} entry points into dist/`);
}
