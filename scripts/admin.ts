// bun run admin <command> — operator commands (README "Operator commands"; --help on every level).
import { adminProgram } from "../src/cli/commands";
import { runProgram } from "../src/cli/program";

process.exitCode = await runProgram(adminProgram(), process.argv);
