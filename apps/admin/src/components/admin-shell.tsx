"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure } from "../api/errors";
import styles from "./shell.module.css";

const NAV = [
  { href: "/", label: "Dashboard" },
  { href: "/leads", label: "Leads" },
  { href: "/conversations", label: "Conversations" },
  // Flags are deployment-wide: only the operator's organization manages them (auth.me's managesFlags).
  { href: "/flags", label: "Flags", operatorOnly: true },
  { href: "/alerts", label: "Alerts" },
  { href: "/reports", label: "Reports" },
  { href: "/sites", label: "Sites" },
] as const;

function isCurrent(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The frame of every signed-in page: navigation, who is signed in, sign out. A lost session leads to /login (see ApiProvider). */
export function AdminShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions());
  // A full page load after signing out: nothing of the session stays in memory.
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: () => window.location.assign("/login") }));

  return (
    <div className={styles.shell}>
      <a className={styles.skip} href="#content">
        Skip to content
      </a>
      <header className={styles.header}>
        <div className={styles.bar}>
          <Link href="/" className={styles.brand}>
            Leadline admin
          </Link>
          <div className={styles.user}>
            {me.data ? (
              <p className={styles.who}>
                <span className={styles.email}>{me.data.email}</span> <span className={styles.role}>{me.data.role}</span>
              </p>
            ) : (
              <p className={styles.who}>{me.isError ? describeFailure(me.error).message : "Loading…"}</p>
            )}
            <button type="button" className={styles.signOut} onClick={() => logout.mutate()} disabled={logout.isPending}>
              Sign out
            </button>
          </div>
        </div>
        {logout.isError && (
          <p role="alert" className={styles.error}>
            Could not sign out: {describeFailure(logout.error).message}
          </p>
        )}
        <nav aria-label="Main" className={styles.nav}>
          <ul>
            {NAV.filter((item) => !("operatorOnly" in item) || me.data?.managesFlags).map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={isCurrent(pathname, item.href) ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="content" className={styles.main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
