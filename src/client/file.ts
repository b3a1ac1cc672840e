// seatkey/client/file: keeps the refresh token in a file, for desktop (Electron, Node) and CLI
// apps. The file is owner-only (0600, in a 0700 folder when it creates one) and replaced
// atomically (written aside, then renamed), so a crash never leaves half a token. The client reads
// it before every refresh, so two processes sharing one file follow each other's rotations.
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { TokenStorage } from "./types.js";

export function fileStorage(path: string): TokenStorage {
  return {
    mode: "body",
    async load() {
      try {
        const saved = JSON.parse(await readFile(path, "utf8")) as { refreshToken?: unknown };
        return typeof saved.refreshToken === "string" ? saved.refreshToken : null;
      } catch {
        return null; // no file yet, or not ours: no session to resume
      }
    },
    async save(refreshToken) {
      if (refreshToken === null) return rm(path, { force: true });
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const aside = `${path}.${process.pid}.tmp`;
      await writeFile(aside, JSON.stringify({ refreshToken }), { mode: 0o600 });
      await chmod(aside, 0o600); // in case the file existed with wider permissions (mode applies to new files)
      await rename(aside, path);
    },
  };
}
