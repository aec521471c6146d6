/** Runs once when the server starts: a bad environment stops it there, naming the variable, not on the first page view. */
export async function register() {
  await import("./env");
}
