/**
 * The admin app's tRPC client. The session is an httpOnly cookie that the API
 * sets on auth.login; `credentials: "include"` makes the browser send it to
 * the API's origin (another port of the same site). No transformer: the
 * server speaks plain JSON, so dates arrive as ISO strings.
 */
import type { AppRouter } from "@leadline/api";
import { createTRPCClient, httpBatchLink } from "@trpc/client";

export function createApiClient(apiUrl: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: apiUrl,
        // The API refuses a batch of more than 20 calls; a busy page can ask for more at once.
        maxItems: 20,
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), credentials: "include" }),
      }),
    ],
  });
}
