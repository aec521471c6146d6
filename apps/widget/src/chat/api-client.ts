/**
 * The embed's tRPC client. `chat.send` answers with an async iterable of
 * SendEvents, which only the streaming link can carry (JSON lines as they are
 * produced); everything else is a short request/response and goes over the
 * plain batch link. No transformer: the server speaks plain JSON.
 */
import type { AppRouter } from "@leadline/api";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink } from "@trpc/client";

export function createChatClient(apiUrl: string) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.path === "chat.send",
        true: httpBatchStreamLink({ url: apiUrl }),
        // The API refuses a batch of more than 20 calls.
        false: httpBatchLink({ url: apiUrl, maxItems: 20 }),
      }),
    ],
  });
}

export type ChatClient = ReturnType<typeof createChatClient>;
