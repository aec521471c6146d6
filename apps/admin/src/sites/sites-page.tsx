"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import { LoadFailure } from "../components/load-failure";
import ui from "../components/ui.module.css";
import { formatCount, formatUsd } from "../shared/format";

const budgetOf = (stored: string | null) => (stored === null ? "Default" : formatUsd(Number(stored)));

/** The organization's sites: each links to its page of origins, limits, budgets and embed snippet. */
export function SitesPage() {
  const trpc = useTRPC();
  const sites = useQuery(trpc.sites.list.queryOptions());

  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Sites</h1>
          <p className={ui.intro}>
            Each site is one chat widget: the pages that may show it, how many messages it takes a minute, and what its model may spend. Open a site to
            see its embed snippet and change its settings.
          </p>
        </div>
      </div>

      {sites.isPending && <p>Loading the sites…</p>}
      {sites.isError && <LoadFailure what="the sites" error={sites.error} onRetry={() => sites.refetch()} />}
      {sites.data &&
        (sites.data.length === 0 ? (
          <div className={ui.empty}>
            <p>This organization has no site yet.</p>
          </div>
        ) : (
          <div className={ui.tableWrap} role="region" aria-label="Sites table" tabIndex={0}>
            <table className={ui.table} data-testid="sites-table">
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col">Site key</th>
                  <th scope="col" className={ui.num}>
                    Allowed origins
                  </th>
                  <th scope="col" className={ui.num}>
                    Daily budget
                  </th>
                  <th scope="col" className={ui.num}>
                    Monthly budget
                  </th>
                </tr>
              </thead>
              <tbody>
                {sites.data.map((site) => (
                  <tr key={site.id}>
                    <th scope="row">
                      <Link href={`/sites/${site.id}`}>{site.name}</Link>
                    </th>
                    <td>
                      <code>{site.publicKey}</code>
                    </td>
                    <td className={ui.num}>{formatCount(site.allowedOrigins.length)}</td>
                    <td className={ui.num}>{budgetOf(site.dailyBudgetUsd)}</td>
                    <td className={ui.num}>{budgetOf(site.monthlyBudgetUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}
