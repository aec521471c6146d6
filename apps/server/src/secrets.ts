import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { z } from "zod";

const token = () => randomBytes(24).toString("hex");

const stored = z.object({
  sessionSecret: z.string().min(32).default(() => randomBytes(32).toString("base64url")),
  adminPassword: z.string().min(8).default(() => randomBytes(9).toString("base64url")),
  // Unleash applies its initial tokens only while its token table is empty:
  // they must stay the same for as long as its database lives.
  unleashAdminToken: z.string().default(() => `*:*.${token()}`),
  unleashClientToken: z.string().default(() => `default:development.${token()}`),
  unleashAdminPassword: z.string().default(() => `Ul-${randomBytes(12).toString("base64url")}`),
});
export type GeneratedSecrets = z.infer<typeof stored>;

/**
 * For the embedded set-up only: secrets the operator did not give are made
 * once and kept in the data directory (mode 600), so sessions, the demo login
 * and the embedded Unleash's tokens survive restarts. Production sets them
 * through the environment. A file from an older version gains the missing ones.
 */
export async function loadGeneratedSecrets(dataDir: string): Promise<GeneratedSecrets> {
  const file = join(dataDir, "secrets.json");
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`${file} is unreadable; delete it to generate new secrets`);
  }
  const parsed = stored.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid; delete it to generate new secrets`);
  if (JSON.stringify(parsed.data) !== JSON.stringify(raw)) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(parsed.data, null, 2), { mode: 0o600 });
  }
  return parsed.data;
}
