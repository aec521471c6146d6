import { describe, expect, it } from "vitest";

import { signSessionToken } from "./chat/session-token";
import { createContextFactory, type ApiServices } from "./context";
import { createCallerFactory, router, visitorProcedure } from "./trpc";

const secret = "s".repeat(32);
const services = { config: { sessionSecret: secret, widgetOrigins: [] }, log: { error() {} } } as unknown as ApiServices;
const claims = (n: number) => ({ sessionId: `00000000-0000-4000-8000-00000000000${n}`, siteId: "00000000-0000-4000-8000-000000000010", organizationId: "00000000-0000-4000-8000-000000000020" });
const whoAmI = createCallerFactory(router({ whoAmI: visitorProcedure.query(({ ctx }) => ctx.visitor) }));

describe("visitorProcedure", () => {
  it("takes the claims admission checked for this very token, and checks any other token itself", async () => {
    const admittedToken = signSessionToken(claims(1), secret, 60);
    const ctx = { ...createContextFactory(services)({ req: { headers: {} } }), admittedVisitor: { sessionToken: admittedToken, claims: claims(1) } };
    await expect(whoAmI(ctx).whoAmI({ sessionToken: admittedToken })).resolves.toEqual(claims(1));

    const other = signSessionToken(claims(2), secret, 60);
    await expect(whoAmI(ctx).whoAmI({ sessionToken: other })).resolves.toEqual(claims(2));
    const forged = `${other.split(".")[0]}.${admittedToken.split(".")[1]}`;
    await expect(whoAmI(ctx).whoAmI({ sessionToken: forged })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
