import { createHash, randomBytes } from "node:crypto";

import { appRouter, createCallerFactory, createContextFactory, type AppRouter } from "@leadline/api";
import { adminProcedure, adminWriteProcedure, router } from "@leadline/api/trpc";
import { hashPassword } from "@leadline/db/password";
import { adminSessions, adminUsers, loginThrottles, organizations, sites } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { adminBrowser, expectCode, startTestStack, type TestStack } from "./testing";

/** The admin app's origin as the test stack's environment has it (ADMIN_PORT's default). */
const ADMIN_ORIGIN = "http://localhost:3001";
const ADMIN = { email: "admin@test.example", password: "password-for-tests" };
const TOKEN_COOKIE = /^leadline_admin=([A-Za-z0-9_-]{43}); Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/;

let stack: TestStack;
beforeAll(async () => {
  // One trusted proxy: a test says which address a login comes from with X-Forwarded-For.
  stack = await startTestStack({ env: { TRUSTED_PROXY_HOPS: "1" } });
});
afterAll(() => stack?.stop());
// Every test's failed logins are its own: all come from 127.0.0.1 and would add up per IP.
afterEach(() => stack.database.db.delete(loginThrottles));

/** A cookie-keeping client of the test stack, from the admin app's origin by default. */
const browser = (origin: string | null = ADMIN_ORIGIN) => adminBrowser(stack.url, origin, ADMIN);

/** A browser that sends the given session cookie. */
function browserWithToken(token: string) {
  const b = browser();
  b.jar.set("leadline_admin", token);
  return b;
}


let users = 0;
async function addUser(role: "viewer" | "admin", options: { password?: string; organizationId?: string } = {}) {
  const email = `user-${(users += 1)}-${role}@test.example`;
  const password = options.password ?? `secret-${randomBytes(6).toString("hex")}`;
  await stack.database.db.insert(adminUsers).values({ organizationId: options.organizationId ?? stack.organizationId, email, role, passwordHash: await hashPassword(password) });
  return { email, password };
}

const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");
const sessionRow = async (token: string) => (await stack.database.db.select().from(adminSessions).where(eq(adminSessions.id, sha256(token))))[0];

/** The context the HTTP server would build for a request with this cookie from this address: for in-process callers. */
function contextFor(options: { token?: string; ip?: string } = {}) {
  const headers: Record<string, string> = options.token ? { cookie: `leadline_admin=${options.token}` } : {};
  return createContextFactory(stack.services)({ req: { headers, socket: { remoteAddress: options.ip ?? "127.0.0.1" } } });
}
const callApp = createCallerFactory(appRouter);

/** auth.login over HTTP from a client address, as the trusted proxy in front reports it. */
async function logInFrom(ip: string, login: { email: string; password: string }) {
  const response = await fetch(`${stack.url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ADMIN_ORIGIN, "x-forwarded-for": ip },
    body: JSON.stringify(login),
  });
  const body = (await response.json()) as { error?: { message: string; data: { code: string } } };
  return { status: response.status, code: body.error?.data.code ?? "OK", message: body.error?.message, cookie: response.headers.getSetCookie()[0] };
}

/** Ends the lock an address holds on an email, as if its wait were over (time is moved, not waited for). */
const endLock = (ip: string, email: string) =>
  stack.database.db.update(loginThrottles).set({ lockedUntil: sql`now() - interval '1 second'` }).where(and(eq(loginThrottles.scope, "ip_email"), eq(loginThrottles.key, `${ip}|${email}`)));

describe("auth.login and auth.me", () => {
  it("login sets an httpOnly, SameSite=Lax session cookie that auth.me accepts; only the token's hash is stored", async () => {
    const b = browser();
    const profile = await b.logIn("  Admin@Test.Example ", ADMIN.password);
    // The demo organization operates this deployment: it manages the flags.
    expect(profile).toEqual({ email: ADMIN.email, role: "admin", organization: { id: stack.organizationId, name: "Demo" }, managesFlags: true });
    expect(b.setCookies).toHaveLength(1);
    expect(b.setCookies[0]).toMatch(TOKEN_COOKIE);

    expect(await b.client.auth.me.query()).toEqual(profile);

    const token = b.token()!;
    const row = await sessionRow(token);
    expect(row).toMatchObject({ organizationId: stack.organizationId, userAgent: expect.any(String) });
    expect((await stack.database.db.select().from(adminSessions).where(eq(adminSessions.id, token))).length).toBe(0);
    // The idle limit (12 h), not the absolute one, is the first expiry.
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(row!.expiresAt.getTime() - Date.now()).toBeLessThan(12.1 * 3600_000);

    await expectCode(browser().client.auth.me.query(), "UNAUTHORIZED");
  });

  it("a wrong password and an unknown email get the same answer, after the same work, and no cookie", async () => {
    const wrongPassword = browser();
    const unknownEmail = browser();
    const a = await expectCode(wrongPassword.logIn(ADMIN.email, "not-the-password"), "UNAUTHORIZED");
    const b = await expectCode(unknownEmail.logIn("nobody@test.example", "not-the-password"), "UNAUTHORIZED");
    expect(a.message).toBe("Invalid email or password");
    expect({ message: b.message, data: b.data }).toEqual({ message: a.message, data: a.data });
    expect([...wrongPassword.setCookies, ...unknownEmail.setCookies]).toEqual([]);

    // An unknown email is checked against a dummy hash: it takes as long as a real check.
    const user = await addUser("admin");
    const timeOf = async (email: string) => {
      const start = performance.now();
      await browser().logIn(email, "not-the-password").catch(() => {});
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      known.push(await timeOf(user.email));
      unknown.push(await timeOf(`ghost-${i}@test.example`));
    }
    expect(Math.min(...unknown)).toBeGreaterThan(0.5 * Math.min(...known));
  });
});

describe("login throttling", () => {
  it("thirty wrong passwords from one address lock that address out of the email, even with the right password; the owner elsewhere logs in at once", async () => {
    const guesser = "198.51.100.7";
    const answers: string[] = [];
    for (let i = 0; i < 30; i += 1) answers.push((await logInFrom(guesser, { email: ADMIN.email, password: `guess-${i}` })).code);
    expect(answers).toEqual([...Array<string>(5).fill("UNAUTHORIZED"), ...Array<string>(25).fill("TOO_MANY_REQUESTS")]);

    const refused = await logInFrom(guesser, ADMIN);
    expect(refused).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS", message: "Too many failed attempts from this address. Try again in 1 minute.", cookie: undefined });

    // The owner, from another address, while the guesser keeps going: in at once.
    const [owner] = await Promise.all([
      logInFrom("203.0.113.50", ADMIN),
      (async () => {
        for (let i = 0; i < 10; i += 1) await logInFrom(guesser, { email: ADMIN.email, password: `more-${i}` });
      })(),
    ]);
    expect(owner).toMatchObject({ status: 200, code: "OK", cookie: expect.stringMatching(TOKEN_COOKIE) });
    // The lock is the address's for this email: another admin from that same address is not held up.
    const other = await addUser("admin");
    expect(await logInFrom(guesser, other)).toMatchObject({ code: "OK" });
  });

  it("after five failures each attempt waits out a lock twice as long as the last, up to an hour; the right password then starts afresh", async () => {
    const ip = "198.51.100.8";
    const wrong = { email: ADMIN.email, password: "wrong" };
    for (let i = 0; i < 5; i += 1) expect((await logInFrom(ip, wrong)).code).toBe("UNAUTHORIZED");
    expect((await logInFrom(ip, wrong)).message).toMatch(/Try again in 1 minute\.$/);

    for (const minutes of [2, 4, 8]) {
      await endLock(ip, ADMIN.email);
      // One attempt per lock, and its password is checked…
      expect((await logInFrom(ip, wrong)).code).toBe("UNAUTHORIZED");
      // …then the next lock, longer.
      expect((await logInFrom(ip, wrong)).message).toMatch(new RegExp(`Try again in ${minutes} minutes\\.$`));
    }
    await stack.database.db.update(loginThrottles).set({ failures: 40 }).where(eq(loginThrottles.key, `${ip}|${ADMIN.email}`));
    await endLock(ip, ADMIN.email);
    await logInFrom(ip, wrong);
    expect((await logInFrom(ip, wrong)).message).toMatch(/Try again in 60 minutes\.$/);

    await endLock(ip, ADMIN.email);
    expect(await logInFrom(ip, ADMIN)).toMatchObject({ code: "OK" });
    for (let i = 0; i < 4; i += 1) expect((await logInFrom(ip, wrong)).code).toBe("UNAUTHORIZED");
  });

  it("an email nobody has locks the same way, so a lock tells nothing about who has an account", async () => {
    for (let i = 0; i < 5; i += 1) expect((await logInFrom("198.51.100.9", { email: "ghost@test.example", password: `guess-${i}` })).code).toBe("UNAUTHORIZED");
    expect(await logInFrom("198.51.100.9", { email: "ghost@test.example", password: "guess-5" })).toMatchObject({ status: 429, message: "Too many failed attempts from this address. Try again in 1 minute." });
  });

  it("parallel guesses cannot slip past the limit: attempts are counted before the password is checked", async () => {
    const user = await addUser("admin");
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        browser()
          .logIn(user.email, `guess-${i}`)
          .then(
            () => "OK",
            (e: TRPCClientError<AppRouter>) => e.data?.code,
          ),
      ),
    );
    expect(results.filter((r) => r === "UNAUTHORIZED")).toHaveLength(5);
    expect(results.filter((r) => r === "TOO_MANY_REQUESTS")).toHaveLength(7);
  });

  it("a success resets the address+email count: failures that never reach five in a row lock nothing", async () => {
    const user = await addUser("admin");
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 4; i += 1) await expectCode(browser().logIn(user.email, "wrong"), "UNAUTHORIZED");
      await browser().logIn(user.email, user.password);
    }
  });

  it("twenty failures from one IP lock that IP for every email; other IPs are unaffected", async () => {
    const sprayer = callApp(contextFor({ ip: "203.0.113.7" }));
    for (let i = 0; i < 20; i += 1) {
      await expect(sprayer.auth.login({ email: `spray-${i}@test.example`, password: "123456" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    await expect(sprayer.auth.login(ADMIN)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: "Too many failed attempts from this address. Try again in 1 minute." });
    expect(await callApp(contextFor({ ip: "203.0.113.8" })).auth.login(ADMIN)).toMatchObject({ email: ADMIN.email });
  });

  it("guesses spread over many addresses refuse no one: the owner gets in, and the operators are warned once", async () => {
    const warnings: unknown[] = [];
    const log = { ...stack.services.log, warn: (obj: unknown) => void warnings.push(obj) };
    const from = (ip: string) => callApp({ ...contextFor({ ip }), log });
    for (let batch = 0; batch < 6; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => expect(from(`192.0.2.${batch * 10 + i + 1}`).auth.login({ email: ADMIN.email, password: "123456" })).rejects.toMatchObject({ code: "UNAUTHORIZED" })),
      );
    }
    expect(warnings).toEqual([expect.objectContaining({ email: ADMIN.email, failures: 50 })]);
    expect(await from("192.0.2.99").auth.login(ADMIN)).toMatchObject({ email: ADMIN.email });
  });
});

describe("sessions", () => {
  it("logout deletes the session and clears the cookie; the old token is refused afterwards", async () => {
    const b = browser();
    await b.logIn();
    const token = b.token()!;
    await b.client.auth.logout.mutate();
    expect(b.setCookies.at(-1)).toBe("leadline_admin=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    expect(b.token()).toBeUndefined();
    expect(await sessionRow(token)).toBeUndefined();
    await expectCode(browserWithToken(token).client.auth.me.query(), "UNAUTHORIZED");
    // Logging out twice is harmless.
    await b.client.auth.logout.mutate();
  });

  it("an expired session is refused and its cookie cleared", async () => {
    const b = browser();
    await b.logIn();
    const token = b.token()!;
    await stack.database.db.update(adminSessions).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(adminSessions.id, sha256(token)));
    await expectCode(b.client.auth.me.query(), "UNAUTHORIZED");
    expect(b.setCookies.at(-1)).toMatch(/^leadline_admin=; .*Max-Age=0/);
  });

  it("use slides the idle expiry at most once a minute, and never past seven days after login", async () => {
    const b = browser();
    await b.logIn();
    const token = b.token()!;
    const id = sha256(token);
    const db = stack.database.db;
    const hours = (d: Date) => (d.getTime() - Date.now()) / 3600_000;

    // Used again within the minute: nothing is written.
    const fresh = await sessionRow(token);
    await b.client.auth.me.query();
    expect(await sessionRow(token)).toEqual(fresh);

    // Idle for two minutes with one minute left: used, it has twelve hours again.
    await db.update(adminSessions).set({ lastSeenAt: sql`now() - interval '2 minutes'`, expiresAt: sql`now() + interval '1 minute'` }).where(eq(adminSessions.id, id));
    await b.client.auth.me.query();
    const slid = (await sessionRow(token))!;
    expect(hours(slid.expiresAt)).toBeCloseTo(12, 1);
    expect(Date.now() - slid.lastSeenAt.getTime()).toBeLessThan(10_000);

    // Logged in almost seven days ago: the slide stops at the seven days.
    await db.update(adminSessions).set({ createdAt: sql`now() - interval '7 days' + interval '1 hour'`, lastSeenAt: sql`now() - interval '2 minutes'` }).where(eq(adminSessions.id, id));
    await b.client.auth.me.query();
    expect(hours((await sessionRow(token))!.expiresAt)).toBeCloseTo(1, 1);
  });

  it("a forged cookie is refused: a random token, an altered one, the stored hash, garbage", async () => {
    const b = browser();
    await b.logIn();
    const token = b.token()!;
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const forged of [randomBytes(32).toString("base64url"), altered, sha256(token), "garbage", ""]) {
      await expectCode(browserWithToken(forged).client.auth.me.query(), "UNAUTHORIZED");
    }
    expect(await b.client.auth.me.query()).toMatchObject({ email: ADMIN.email });
  });
});

describe("roles and organizations", () => {
  const testRouter = router({
    whoAmI: adminProcedure.query(({ ctx }) => ctx.admin),
    change: adminWriteProcedure.mutation(() => "changed"),
    site: adminProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
      const [site] = await ctx.db.select({ name: sites.name }).from(sites).where(scopedTo(ctx.admin.organizationId, sites, eq(sites.id, input.id)));
      if (!site) throw new TRPCError({ code: "NOT_FOUND", message: "Site not found" });
      return site;
    }),
  });
  const callTest = createCallerFactory(testRouter);

  it("a viewer can read but is FORBIDDEN on an adminWriteProcedure; an admin is not", async () => {
    const viewer = await addUser("viewer");
    const v = browser();
    expect(await v.logIn(viewer.email, viewer.password)).toMatchObject({ role: "viewer" });
    const asViewer = callTest(contextFor({ token: v.token() }));
    expect(await asViewer.whoAmI()).toMatchObject({ email: viewer.email, role: "viewer", organizationId: stack.organizationId });
    await expect(asViewer.change()).rejects.toMatchObject({ code: "FORBIDDEN", message: "Viewers cannot change anything" });

    const a = browser();
    await a.logIn();
    expect(await callTest(contextFor({ token: a.token() })).change()).toBe("changed");
    await expect(callTest(contextFor()).change()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("changePassword: any user may change their own; a wrong current one is refused; their other sessions end", async () => {
    const user = await addUser("viewer");
    const here = browser();
    const elsewhere = browser();
    await here.logIn(user.email, user.password);
    await elsewhere.logIn(user.email, user.password);

    await expectCode(here.client.auth.changePassword.mutate({ current: "wrong-password", next: "a-new-password" }), "BAD_REQUEST");
    const same = await expectCode(here.client.auth.changePassword.mutate({ current: user.password, next: user.password }), "BAD_REQUEST");
    expect(same.data?.issues).toEqual([{ path: "next", message: "must differ from the current password" }]);

    await here.client.auth.changePassword.mutate({ current: user.password, next: "a-new-password" });
    expect(await here.client.auth.me.query()).toMatchObject({ email: user.email });
    await expectCode(elsewhere.client.auth.me.query(), "UNAUTHORIZED");
    await expectCode(browser().logIn(user.email, user.password), "UNAUTHORIZED");
    expect(await browser().logIn(user.email, "a-new-password")).toMatchObject({ email: user.email });
  });

  it("another organization's admin sees only their own organization: this one's data is NOT_FOUND", async () => {
    const db = stack.database.db;
    const [other] = await db.insert(organizations).values({ name: "Other", slug: "other" }).returning();
    const outsider = await addUser("admin", { organizationId: other!.id });
    const [demoSite] = await db.select().from(sites).where(eq(sites.publicKey, "demo"));

    const o = browser();
    // Not the operator: no flags for it (the admin app hides their page).
    expect(await o.logIn(outsider.email, outsider.password)).toEqual({ email: outsider.email, role: "admin", organization: { id: other!.id, name: "Other" }, managesFlags: false });
    expect(await o.client.auth.me.query()).toMatchObject({ managesFlags: false });
    await expect(callTest(contextFor({ token: o.token() })).site({ id: demoSite!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const d = browser();
    await d.logIn();
    expect(await callTest(contextFor({ token: d.token() })).site({ id: demoSite!.id })).toEqual({ name: demoSite!.name });

    // A session row moved to another organization than its user's leads nowhere.
    await db.update(adminSessions).set({ organizationId: stack.organizationId }).where(eq(adminSessions.id, sha256(o.token()!)));
    await expect(callTest(contextFor({ token: o.token() })).site({ id: demoSite!.id })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expectCode(o.client.auth.me.query(), "UNAUTHORIZED");
  });
});

describe("cross-site requests", () => {
  it("login, logout and admin calls from a foreign Origin are refused; without an Origin they work", async () => {
    const evil = browser("https://evil.example");
    const refused = await expectCode(evil.logIn(), "FORBIDDEN");
    expect(refused.message).toBe("Admin calls are only accepted from the admin app");
    expect(evil.setCookies).toEqual([]);

    const b = browser();
    await b.logIn();
    const token = b.token()!;
    const riding = browser("https://evil.example");
    riding.jar.set("leadline_admin", token);
    await expectCode(riding.client.auth.logout.mutate(), "FORBIDDEN");
    await expectCode(riding.client.auth.changePassword.mutate({ current: ADMIN.password, next: "hijacked-password" }), "FORBIDDEN");
    await expectCode(riding.client.auth.me.query(), "FORBIDDEN");
    expect(await sessionRow(token)).toBeDefined();

    const server = browser(null);
    expect(await server.logIn()).toMatchObject({ email: ADMIN.email });
    expect(server.setCookies[0]).toMatch(TOKEN_COOKIE);
  });

  it("CORS lets the admin app send credentials; a foreign origin gets no CORS headers", async () => {
    const preflight = (origin: string) => fetch(`${stack.url}/trpc/auth.login`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    const admin = await preflight(ADMIN_ORIGIN);
    expect(admin.headers.get("access-control-allow-origin")).toBe(ADMIN_ORIGIN);
    expect(admin.headers.get("access-control-allow-credentials")).toBe("true");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("the cookie is Secure when the browser came over https (per the proxy in front)", async () => {
    const response = await fetch(`${stack.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify(ADMIN),
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()[0]).toMatch(/; Secure$/);
  });
});
