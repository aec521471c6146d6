import type { Metadata } from "next";

import { safeReturnPath } from "../../api/navigation";
import { LoginForm } from "../../components/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  return <LoginForm next={safeReturnPath((await searchParams).next)} />;
}
