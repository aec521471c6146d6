"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure } from "../api/errors";
import styles from "./login.module.css";

/** Email and password; the API answers with an httpOnly session cookie. `next` is already checked to be a path of this app. */
export function LoginForm({ next }: { next: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const passwordRef = useRef<HTMLInputElement>(null);

  // Already signed in (a second tab, the back button): nothing to do here.
  const me = useQuery({ ...trpc.auth.me.queryOptions(), retry: false, refetchOnWindowFocus: false });
  useEffect(() => {
    if (me.data) router.replace(next);
  }, [me.data, next, router]);

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      // auth.login answers with the same profile as auth.me: the effect above takes it from here.
      onSuccess: (profile) => queryClient.setQueryData(trpc.auth.me.queryKey(), profile),
      onError: (error) => {
        // A refused attempt ("Try again in N minutes") checked no password: keep it for the retry, where retyping it could add a typo.
        if (describeFailure(error).code !== "TOO_MANY_REQUESTS") setPassword("");
        passwordRef.current?.focus();
      },
    }),
  );
  const failure = login.error ? describeFailure(login.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!login.isPending) login.mutate({ email, password });
  }

  return (
    <main className={styles.page}>
      <form className={styles.card} onSubmit={submit} aria-labelledby="login-title">
        <p className={styles.brand}>Leadline admin</p>
        <h1 id="login-title" className={styles.title}>
          Sign in
        </h1>
        {me.data ? (
          <p role="status">You are signed in as {me.data.email}. Opening the admin…</p>
        ) : (
          <>
            {failure && (
              <p role="alert" className={styles.error}>
                {failure.message}
              </p>
            )}
            <label className={styles.field}>
              <span>Email</span>
              <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label className={styles.field}>
              <span>Password</span>
              <input ref={passwordRef} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <button type="submit" className={styles.submit} aria-disabled={login.isPending}>
              Sign in
            </button>
            {login.isPending && <p role="status">Signing in…</p>}
          </>
        )}
      </form>
    </main>
  );
}
