"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";

import { useTRPC } from "../api/api-provider";
import type { LeadStatus } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { NoTraffic } from "../components/no-traffic";
import { TimeAgo } from "../components/time-ago";
import ui from "../components/ui.module.css";
import { formatCount } from "../shared/format";
import { LEAD_STATUSES, leadName, statusLabel } from "./format";
import { Score } from "./score";
import { StatusBadge } from "./status-badge";

const PAGE_SIZE = 25;

/** The organization's leads, most recently changed first, by status, 25 at a time. Refreshed every 5 s. */
export function LeadsPage({ initialStatus, demoUrl }: { initialStatus: LeadStatus | null; demoUrl: string | null }) {
  const trpc = useTRPC();
  const filterId = useId();
  const [status, setStatus] = useState<LeadStatus | null>(initialStatus);
  const leads = useInfiniteQuery(
    trpc.leads.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(status ? { status } : {}) },
      { getNextPageParam: (page) => page.nextCursor, refetchInterval: 5_000, placeholderData: keepPreviousData },
    ),
  );
  const items = leads.data?.pages.flatMap((page) => page.items) ?? [];

  function choose(next: LeadStatus | null) {
    setStatus(next);
    const url = new URL(globalThis.location.href);
    if (next) url.searchParams.set("status", next);
    else url.searchParams.delete("status");
    globalThis.history.replaceState(globalThis.history.state, "", url);
  }

  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Leads</h1>
          <p className={ui.intro}>
            Visitors the widget qualified: their contact details, score (0–100) and status. A lead climbs from new to engaged, qualified and hot as the
            visitor tells more about their need, budget and timeline.
          </p>
        </div>
        <div className={ui.field}>
          <label htmlFor={filterId}>Status</label>
          <select id={filterId} value={status ?? ""} onChange={(e) => choose((e.target.value || null) as LeadStatus | null)}>
            <option value="">All statuses</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </div>

      {leads.isPending && <p>Loading leads…</p>}
      {leads.isError && <LoadFailure what="the leads" error={leads.error} onRetry={() => leads.refetch()} />}
      {leads.data &&
        (items.length === 0 ? (
          status ? (
            <div className={ui.empty}>
              <p>No lead is {statusLabel(status).toLowerCase()} yet.</p>
              <button type="button" className={ui.button} onClick={() => choose(null)}>
                Show every status
              </button>
            </div>
          ) : (
            <NoTraffic title="No leads yet" demoUrl={demoUrl}>
              <p>A lead appears here once a visitor chats; it is scored as they give their name, email, company, budget and timeline.</p>
            </NoTraffic>
          )
        ) : (
          <section className={ui.panel} aria-label="Leads">
            <div className={ui.tableWrap} role="region" aria-label="Leads table" tabIndex={0}>
              <table className={ui.table} data-testid="leads-table" aria-busy={leads.isPlaceholderData}>
                <caption>
                  {[formatCount(items.length), status && statusLabel(status).toLowerCase(), items.length === 1 ? "lead" : "leads"].filter(Boolean).join(" ")}
                  {leads.hasNextPage ? " shown, more below" : ""}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Company</th>
                    <th scope="col" className={ui.num}>
                      Score
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span className="visually-hidden">Conversation</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((lead) => (
                    <tr key={lead.id}>
                      <th scope="row">
                        <Link href={`/leads/${lead.id}`}>{leadName(lead.contact)}</Link>
                      </th>
                      <td>{lead.contact.email ? <a href={`mailto:${lead.contact.email}`}>{lead.contact.email}</a> : "—"}</td>
                      <td>{lead.contact.company || "—"}</td>
                      <td className={ui.num}>
                        <Score score={lead.score} />
                      </td>
                      <td>
                        <StatusBadge status={lead.status} />
                      </td>
                      <td>
                        <TimeAgo iso={lead.updatedAt} />
                      </td>
                      <td>
                        <Link href={`/conversations/${lead.sessionId}`}>
                          Conversation<span className="visually-hidden"> with {leadName(lead.contact)}</span>
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {leads.hasNextPage && (
              <div className={ui.more}>
                <button type="button" className={ui.button} onClick={() => leads.fetchNextPage()} disabled={leads.isFetchingNextPage}>
                  {leads.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </section>
        ))}
    </>
  );
}
