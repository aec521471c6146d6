import { isIP } from "node:net";

/** The parts of Node's IncomingMessage the API reads; tests can pass a plain object. */
export type RequestLike = {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; encrypted?: boolean };
};

export function headerOf(req: RequestLike, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The caller's IP. The socket's peer, unless we sit behind trusted proxies:
 * each appends the address it saw to X-Forwarded-For, so the client is the
 * entry `hops` from the right. Anything further left was written by the
 * client and proves nothing.
 */
export function clientIpOf(req: RequestLike, trustedProxyHops = 0): string | null {
  if (trustedProxyHops > 0) {
    const forwarded = (headerOf(req, "x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const candidate = forwarded[forwarded.length - trustedProxyHops];
    const ip = candidate === undefined ? null : normalizeIp(candidate);
    if (ip) return ip;
  }
  const peer = req.socket?.remoteAddress;
  return peer ? normalizeIp(peer) : null;
}

/** A valid IP in one spelling (IPv4-mapped IPv6 as plain IPv4, lower case, no zone), or null. */
export function normalizeIp(value: string): string | null {
  let ip = value.trim().toLowerCase();
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone);
  if (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) === 0 ? null : ip;
}

/**
 * What login throttling counts per: an IPv4 address, or an IPv6 address's /64
 * (one subscriber usually holds a whole /64, so counting single addresses
 * would give an attacker 2^64 fresh tries).
 */
export function throttleKeyOfIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(":")}::/64`;
}

function expandIpv6(ip: string): string[] {
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const last = tail === undefined ? left : right;
  const dotted = last.at(-1);
  if (dotted?.includes(".")) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split(".").map(Number);
    last.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/**
 * Whether the browser reached us over https: directly, per the proxy in
 * front, or as the page calling us says. A client faking any of these only
 * gets a Secure cookie its own browser then refuses over http, so none needs trust.
 */
export function isSecureRequest(req: RequestLike): boolean {
  if (req.socket?.encrypted) return true;
  if (headerOf(req, "x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https") return true;
  return headerOf(req, "origin")?.startsWith("https://") ?? false;
}
