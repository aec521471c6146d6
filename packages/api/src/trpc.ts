/**
 * The one tRPC bootstrap: context type, error formatting and the procedure
 * kinds. Routers import `router` and a procedure kind from here, nothing else.
 */
import { initTRPC } from "@trpc/server";
import { z } from "zod";

import { isAllowedAdminOrigin } from "./auth/origin";
import { MESSAGES } from "./auth/policy";
import { authenticateAdmin } from "./auth/session";
import type { Context } from "./context";
import { forbidden, refusalOf, toTRPCError } from "./errors";
import { verifySessionToken } from "./chat/session-token";
import { isAllowedWidgetOrigin } from "./chat/widget-origin";

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const serverError = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // 5xx details never reach a client; the cause is logged where it was caught.
      message: serverError ? "Something went wrong on our side. Please try again." : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        // Input validation failures: which field and why, for the caller to show.
        issues: error.cause instanceof z.ZodError ? error.cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : undefined,
        // A refusal the client acts on: how long to wait, or what to offer instead (see limits/admission.ts).
        refusal: refusalOf(error.cause),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain errors to tRPC codes in one place and logs every server fault once. */
const errorMapping = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    // tRPC wraps whatever a handler threw as an internal error; look at the original.
    const mapped = toTRPCError(result.error.cause ?? result.error);
    const wait = refusalOf(mapped.cause)?.retryAfterSeconds;
    if (wait !== undefined) ctx.setHeader("retry-after", String(wait));
    if (mapped.code === "INTERNAL_SERVER_ERROR") {
      ctx.log.error({ err: mapped.cause, path, requestId: ctx.requestId }, "procedure failed");
    }
    if (mapped !== result.error) return { ...result, error: mapped };
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

/**
 * Calls from the widget (every chat procedure): a browser Origin other than the
 * widget app's is refused, whatever page frames it (see chat/widget-origin.ts).
 */
export const widgetProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!isAllowedWidgetOrigin(ctx.origin, ctx.config.widgetOrigins)) throw forbidden("Chat calls are accepted from the Leadline widget only");
  return next();
});

/**
 * For calls from the widget: the input carries a session token signed by the
 * server; the context is narrowed to that session, its site and organization.
 */
export const visitorProcedure = widgetProcedure.input(z.object({ sessionToken: z.string() })).use(async ({ ctx, input, next }) => {
  // A chat.send admitted over HTTP had this very token checked a moment ago (limits/admit-calls.ts).
  const admitted = ctx.admittedVisitor;
  const visitor = admitted?.sessionToken === input.sessionToken ? admitted.claims : verifySessionToken(input.sessionToken, ctx.config.sessionSecret);
  return next({ ctx: { ...ctx, visitor } });
});

/**
 * Calls from the admin app that need no session (login, logout): a browser
 * Origin other than the admin app's is refused, so no other page, not even
 * one on the same site, can log someone in or out (see auth/origin.ts).
 */
export const adminOriginProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!isAllowedAdminOrigin(ctx.origin, ctx.config.adminOrigins)) throw forbidden(MESSAGES.foreignOrigin);
  return next();
});

/**
 * Any logged-in admin user, viewer or admin: the session cookie is checked
 * and the context narrowed to `ctx.admin` ({ userId, organizationId, role,
 * email, sessionId }). Handlers scope every query by
 * `ctx.admin.organizationId` (scopedTo); another organization's row is NOT_FOUND.
 */
export const adminProcedure = adminOriginProcedure.use(async ({ ctx, next }) => {
  const admin = await authenticateAdmin(ctx);
  return next({ ctx: { ...ctx, admin } });
});

/** Anything that changes state for the organization: role "admin" only; a viewer gets FORBIDDEN. */
export const adminWriteProcedure = adminProcedure.use(({ ctx, next }) => {
  if (ctx.admin.role !== "admin") throw forbidden(MESSAGES.viewerCannotWrite);
  return next();
});
