// The confirmation asked before a destructive command. --yes skips it; without a terminal to ask
// on (cron, a pipe) the command is refused rather than run unconfirmed.
import { createInterface } from "node:readline/promises";
import { CliError, EXIT } from "./exit";

export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new CliError(
      `Refused: ${question} Nobody can confirm without a terminal: add --yes to run it.`,
      EXIT.notConfirmed,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} Type "yes" to go on: `);
    if (answer.trim().toLowerCase() !== "yes")
      throw new CliError("Not confirmed: nothing was changed.", EXIT.notConfirmed);
  } finally {
    rl.close();
  }
}
