// bun run create-admin <email> "<name>" — an ADMIN without a password, plus a one-time link to set it.
import { AppError } from "../src/errors";
import { flushOutbox } from "../src/mail/sender";
import { mailPasswordLinkIn } from "../src/passwords/service";
import { insertUser } from "../src/users/service";
import { fail, runScript } from "./cli";

const [email, name] = process.argv.slice(2);
if (!email || !name || process.argv.length > 4)
  fail('usage: bun run create-admin <email> "<name>"   (npm: npm run create-admin -- <email> "<name>")', 2);

await runScript(async (deps) => {
  // The user, the link and its mail commit together.
  const { user, link } = await deps.db
    .write(async (tx) => {
      const user = await insertUser(tx, deps, { email, name, role: "ADMIN" });
      return { user, link: await mailPasswordLinkIn(tx, deps, user) };
    })
    .catch((error: unknown) => {
      if (!(error instanceof AppError && error.code === "email_taken")) throw error;
      return fail(
        `seatkey: ${email} already exists. To give it a new password, open ${deps.config.publicUrl}/reset-password ` +
          `(or print a link: bun run admin user reset-link ${email})`,
      );
    });
  // A short-lived script: send now, before the database closes (the server retries a failure).
  const mail = await flushOutbox(deps);
  if (mail.failed > 0) console.error("the set-password mail could not be sent yet; the server will retry it");
  console.log(`created admin ${user.email} (id ${user.id})`);
  console.log(`set the password within 30 minutes: ${link}`);
});
