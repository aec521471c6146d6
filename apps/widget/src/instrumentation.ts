/** Runs once when the server starts: a bad environment stops it there, naming the variable, not on the first visitor. */
export async function register() {
  await import("./env");
}
