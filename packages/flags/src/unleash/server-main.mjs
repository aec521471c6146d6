// Runs unleash-server (npm, AGPL-3.0) as a process of its own, for the
// embedded set-up and the tests. Configured by environment: DATABASE_URL,
// UNLEASH_PORT, INIT_ADMIN_API_TOKENS, INIT_BACKEND_API_TOKENS (applied by
// Unleash only while its token table is empty). Ends when its parent does:
// the parent holds stdin, which closes when it dies, even by SIGKILL.
import { start } from "unleash-server";

process.stdin.on("end", () => {
  setTimeout(() => process.exit(1), 5000).unref(); // a stop that hangs still ends
  process.kill(process.pid, "SIGTERM");
});
process.stdin.resume();

const quiet = () => {};
const logger = (name) => ({
  debug: quiet,
  info: quiet,
  warn: (...args) => console.warn(`[unleash ${name}]`, ...args),
  error: (...args) => console.error(`[unleash ${name}]`, ...args),
  fatal: (...args) => console.error(`[unleash ${name}]`, ...args),
});

const unleash = await start({
  db: { ssl: false },
  server: { port: Number(process.env.UNLEASH_PORT), host: "127.0.0.1", enableRequestLogger: false },
  authentication: { type: "open-source", enableApiToken: true, initialAdminUser: { username: "admin", password: process.env.UNLEASH_ADMIN_PASSWORD } },
  getLogger: logger,
  disableLegacyFeaturesApi: true,
  versionCheck: { enable: false },
  sendTelemetry: false,
});
console.log(`unleash listening on ${process.env.UNLEASH_PORT}`);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    unleash.stop().finally(() => process.exit(0));
  });
}
