export { appRouter, type AppRouter } from "./root";
export { createContextFactory, type ApiConfig, type ApiServices, type Context, type Logger } from "./context";
export { createCallerFactory } from "./trpc";
