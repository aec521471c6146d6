/** Where the login page sends the admin, and how other pages send them there. */

export const HOME_AFTER_LOGIN = "/";

/** The login page, remembering the page to come back to. */
export function loginPathFor(current: string): string {
  const target = safeReturnPath(current);
  return target === HOME_AFTER_LOGIN ? "/login" : `/login?next=${encodeURIComponent(target)}`;
}

/**
 * A `next` parameter is only followed to a path of this app: an absolute URL
 * or a protocol-relative "//host" would make the login page an open redirect
 * (browsers read a backslash as "/" and drop tabs and newlines, so those are refused too).
 */
export function safeReturnPath(next: string | string[] | undefined | null): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith("/") || value.startsWith("//") || /[\\\u0000-\u001f]/.test(value) || value.startsWith("/login")) return HOME_AFTER_LOGIN;
  return value;
}
