// Every command group of `bun run admin`.
import { buildProgram } from "../program";
import { registerAudit } from "./audit";
import { registerImport } from "./import";
import { registerUsers } from "./users";

export function adminProgram() {
  return buildProgram([registerUsers, registerAudit, registerImport]);
}
