"use client";

import type { AppRouter } from "@leadline/api";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";

import { createApiClient } from "./client";
import { codeOf, shouldRetry } from "./errors";
import { loginPathFor } from "./navigation";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

let leaving = false;

/**
 * A call answered UNAUTHORIZED: the session is gone (expired, signed out
 * elsewhere). A full page load to the login page, so nothing the session
 * showed stays in memory; the login page itself expects UNAUTHORIZED.
 */
function leaveIfSignedOut(error: unknown) {
  if (codeOf(error) !== "UNAUTHORIZED" || leaving) return;
  const { pathname, search } = window.location;
  if (pathname === "/login") return;
  leaving = true;
  window.location.assign(loginPathFor(pathname + search));
}

/** TanStack Query and the tRPC client for every page; the API's URL comes from the server's environment. */
export function ApiProvider({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: leaveIfSignedOut }),
        mutationCache: new MutationCache({ onError: leaveIfSignedOut }),
        defaultOptions: { queries: { retry: shouldRetry, staleTime: 2_000 } },
      }),
  );
  const [trpcClient] = useState(() => createApiClient(apiUrl));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
