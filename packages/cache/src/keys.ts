import type { ResolvedNamespace } from "./options";

/** The organization that global namespaces (model rates) are stored under. */
export const GLOBAL_ORGANIZATION = "global";

/**
 * Refuses an organization that could read another scope's entries: "global" only in a global
 * namespace, and no ":" that would shift the key parts so one organization's key spells another's.
 */
export function checkOrganization(namespace: string, spec: ResolvedNamespace, organizationId: string): void {
  if (spec.global) {
    if (organizationId !== GLOBAL_ORGANIZATION) {
      throw new TypeError(`cache namespace "${namespace}" is global: use the organization "${GLOBAL_ORGANIZATION}"`);
    }
    return;
  }
  if (organizationId === GLOBAL_ORGANIZATION) {
    throw new TypeError(`cache namespace "${namespace}" is per organization: "${GLOBAL_ORGANIZATION}" is not an organization`);
  }
  if (organizationId === "" || organizationId.includes(":")) {
    throw new TypeError(`invalid organization id for the cache: "${organizationId}"`);
  }
}

export function checkKey(key: string): void {
  if (key === "") throw new TypeError("cache key must not be empty");
}

/** The key inside one cache: L1 uses it as is, Redis behind the prefix. */
export function buildLocalKey(namespace: string, organizationId: string, key: string): string {
  return `${namespace}:${organizationId}:${key}`;
}

/** The local-key prefix shared by a namespace, or by one organization inside it. */
export function buildScopePrefix(namespace: string, organizationId?: string): string {
  return organizationId === undefined ? `${namespace}:` : `${namespace}:${organizationId}:`;
}

/** A SCAN pattern matching exactly the keys under a prefix, whatever characters the prefix holds. */
export function buildMatchPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}
