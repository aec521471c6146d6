import { z } from "zod";

// Long inputs are refused before argon2 spends time on them.
const password = z.string().min(1, "is required").max(1024, "is too long");

export const loginInput = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email("must be an email address")),
  password,
});

export const changePasswordInput = z
  .object({
    current: password,
    next: z.string().min(8, "must be at least 8 characters").max(1024, "is too long"),
  })
  .refine((v) => v.next !== v.current, { path: ["next"], message: "must differ from the current password" });
