import { changePassword } from "../auth/change-password";
import { logIn, logOut } from "../auth/login";
import { changePasswordInput, loginInput } from "../auth/schemas";
import { loadProfile } from "../auth/session";
import { adminOriginProcedure, adminProcedure, router } from "../trpc";

/** Admin login with an httpOnly session cookie (see auth/cookies.ts for its attributes). */
export const authRouter = router({
  login: adminOriginProcedure.input(loginInput).mutation(({ ctx, input }) => logIn(ctx, input)),

  logout: adminOriginProcedure.mutation(({ ctx }) => logOut(ctx)),

  me: adminProcedure.query(({ ctx }) => loadProfile(ctx)),

  /** Every user may change their own password, viewers included: it changes nothing of the organization's. */
  changePassword: adminProcedure.input(changePasswordInput).mutation(({ ctx, input }) => changePassword(ctx, input)),
});
