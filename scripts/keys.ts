// bun run keys generate | init | rotate
//   generate  print a new key set as env lines
//   init      write a new key set to .env (refuses to overwrite an existing JWT_PRIVATE_KEY)
//   rotate    in .env: new current key; the old public key moves to JWT_PUBLIC_KEYS
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { decodeJwk, encodeJwk, generateKeyMaterial, publicPart } from "../src/keys/keys";
import { fail } from "./cli";

const USAGE =
  "usage: bun run keys generate | init | rotate   (npm: npm run -s keys -- generate; init and rotate edit ./.env, or the file in ENV_FILE)";
const envFile = process.env.ENV_FILE ?? ".env";

function setEnvLine(text: string, name: string, value: string): string {
  const line = `${name}=${value}`;
  const pattern = new RegExp(`^${name}=.*$`, "m");
  if (pattern.test(text)) return text.replace(pattern, line);
  return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`;
}

function getEnvLine(text: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1]?.trim();
}

const command = process.argv[2];
const { privateJwk, secretKey } = await generateKeyMaterial();
const privateLine = encodeJwk(privateJwk);

if (command === "generate") {
  console.log(`JWT_PRIVATE_KEY=${privateLine}`);
  console.log("JWT_PUBLIC_KEYS=");
  console.log(`SECRET_KEY=${secretKey}`);
} else if (command === "init") {
  const text = existsSync(envFile) ? readFileSync(envFile, "utf8") : "";
  if (getEnvLine(text, "JWT_PRIVATE_KEY")) fail(`${envFile} already has JWT_PRIVATE_KEY; use \`bun run keys rotate\``);
  let next = setEnvLine(text, "JWT_PRIVATE_KEY", privateLine);
  next = setEnvLine(next, "JWT_PUBLIC_KEYS", "");
  if (!getEnvLine(text, "SECRET_KEY")) next = setEnvLine(next, "SECRET_KEY", secretKey);
  writeFileSync(envFile, next, { mode: 0o600 });
  console.log(`wrote a new signing key (kid ${privateJwk.kid}) to ${envFile}`);
} else if (command === "rotate") {
  const text = existsSync(envFile) ? readFileSync(envFile, "utf8") : "";
  const current = getEnvLine(text, "JWT_PRIVATE_KEY");
  if (!current) fail(`${envFile} has no JWT_PRIVATE_KEY to rotate; run \`bun run keys init\` first`);
  const oldPublic = encodeJwk(publicPart(decodeJwk(current, "JWT_PRIVATE_KEY")));
  // Keep the previous public key published until every token it signed has expired
  // (ACCESS_TOKEN_TTL); older ones are dropped.
  let next = setEnvLine(text, "JWT_PRIVATE_KEY", privateLine);
  next = setEnvLine(next, "JWT_PUBLIC_KEYS", oldPublic);
  writeFileSync(envFile, next, { mode: 0o600 });
  console.log(`rotated: new kid ${privateJwk.kid}; previous key kept in JWT_PUBLIC_KEYS. Restart every process.`);
} else {
  fail(USAGE, 2);
}
