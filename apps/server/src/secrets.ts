import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { z } from "zod";

const stored = z.object({ sessionSecret: z.string().min(32), adminPassword: z.string().min(8) });
export type GeneratedSecrets = z.infer<typeof stored>;

/**
 * For the embedded set-up only: secrets the operator did not give are made
 * once and kept in the data directory (mode 600), so sessions and the demo
 * login survive restarts. Production sets SESSION_SECRET and ADMIN_PASSWORD.
 */
export async function loadGeneratedSecrets(dataDir: string): Promise<GeneratedSecrets> {
  const file = join(dataDir, "secrets.json");
  try {
    return stored.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`${file} is unreadable; delete it to generate new secrets`);
  }
  const secrets = { sessionSecret: randomBytes(32).toString("base64url"), adminPassword: randomBytes(9).toString("base64url") };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
