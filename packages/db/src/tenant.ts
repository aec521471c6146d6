import { and, eq, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** Thrown before any query runs when tenant data is asked for without an organization. */
export class TenantScopeError extends Error {
  constructor(detail: string) {
    super(`tenant-scoped query refused: ${detail}`);
    this.name = "TenantScopeError";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type OrganizationId = string & { readonly __brand: "OrganizationId" };

/** Checks an organization id at the boundary; everything downstream takes the branded type. */
export function organizationIdOf(value: unknown): OrganizationId {
  if (typeof value !== "string" || !UUID.test(value)) {
    throw new TenantScopeError(value === undefined || value === null || value === "" ? "no organization given" : "organization id is not a UUID");
  }
  return value as OrganizationId;
}

type TenantTable = { organizationId: PgColumn };

/**
 * The WHERE clause every query on tenant data starts from:
 * `organization_id = $org AND ...conditions`. There is no way to build one
 * without an organization, so a query cannot forget it.
 */
export function scopedTo(organizationId: unknown, table: TenantTable, ...conditions: (SQL | undefined)[]): SQL {
  const org = organizationIdOf(organizationId);
  return and(eq(table.organizationId, org), ...conditions) as SQL;
}
