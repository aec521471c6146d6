export { appRouter, type AppRouter } from "./root";
export { createContextFactory, createRequestContextFactory, type ApiConfig, type ApiServices, type Context, type Logger } from "./context";
export { createCallerFactory } from "./trpc";
