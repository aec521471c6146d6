// Runs a Node script and ends it when the parent process goes away, even by
// SIGKILL: the parent holds this process's stdin, which closes when it dies.
// The script gets SIGTERM to shut down gracefully; one that is still running
// five seconds later (a server waiting on a kept-alive connection) is ended.
// Usage: node child-guard.mjs <script> [args…]
import { pathToFileURL } from "node:url";

process.stdin.on("end", () => {
  setTimeout(() => process.exit(1), 5000).unref();
  process.kill(process.pid, "SIGTERM");
});
process.stdin.resume();
const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...args];
await import(pathToFileURL(script).href);
