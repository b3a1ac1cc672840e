// Every command group of `bun run admin`.
import { buildProgram } from "../program";
import { registerAudit } from "./audit";
import { registerImport } from "./import";
import { registerLicenses } from "./licenses";
import { registerStores } from "./stores";
import { registerUsers } from "./users";
import { registerWebhooks } from "./webhooks";

export function adminProgram() {
  return buildProgram([
    registerUsers,
    registerLicenses,
    registerWebhooks,
    registerStores,
    registerAudit,
    registerImport,
  ]);
}
