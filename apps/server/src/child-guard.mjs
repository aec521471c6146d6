// Runs a Node script and ends it when the parent process goes away, even by
// SIGKILL: the parent holds this process's stdin, which closes when it dies.
// Usage: node child-guard.mjs <script> [args…]
import { pathToFileURL } from "node:url";

process.stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
process.stdin.resume();
const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...args];
await import(pathToFileURL(script).href);
