// Every command group of `bun run admin`.
import { buildProgram } from "../program";
import { registerAudit } from "./audit";
import { registerImport } from "./import";
import { registerLicenses } from "./licenses";
import { registerUsers } from "./users";
import { registerWebhooks } from "./webhooks";

export function adminProgram() {
  return buildProgram([registerUsers, registerLicenses, registerWebhooks, registerAudit, registerImport]);
}
