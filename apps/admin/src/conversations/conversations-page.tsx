"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import { LoadFailure } from "../components/load-failure";
import { NoTraffic } from "../components/no-traffic";
import { TimeAgo } from "../components/time-ago";
import ui from "../components/ui.module.css";
import { StatusBadge } from "../leads/status-badge";
import { formatCount, formatDateTime } from "../shared/format";
import { shortId } from "./format";

const PAGE_SIZE = 25;

/** Every conversation with at least one message, the most recently active first, 25 at a time. Refreshed every 5 s. */
export function ConversationsPage({ demoUrl }: { demoUrl: string | null }) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.conversations.list.infiniteQueryOptions(
      { limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor, refetchInterval: 5_000, placeholderData: keepPreviousData },
    ),
  );
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Conversations</h1>
          <p className={ui.intro}>What visitors and the assistant said, message by message, with how long each answer took and what it cost.</p>
        </div>
      </div>

      {list.isPending && <p>Loading conversations…</p>}
      {list.isError && <LoadFailure what="the conversations" error={list.error} onRetry={() => list.refetch()} />}
      {list.data &&
        (items.length === 0 ? (
          <NoTraffic title="No conversations yet" demoUrl={demoUrl} />
        ) : (
          <section className={ui.panel} aria-label="Conversations">
            <div className={ui.tableWrap} role="region" aria-label="Conversations table" tabIndex={0}>
              <table className={ui.table} data-testid="conversations-table">
                <caption>
                  {formatCount(items.length)} conversation{items.length === 1 ? "" : "s"}
                  {list.hasNextPage ? " shown, more below" : ""}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Last message</th>
                    <th scope="col" className={ui.num}>
                      Messages
                    </th>
                    <th scope="col">Lead</th>
                    <th scope="col">Visitor</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((c) => (
                    <tr key={c.sessionId}>
                      <th scope="row">
                        <Link href={`/conversations/${c.sessionId}`}>{formatDateTime(c.startedAt)}</Link>
                      </th>
                      <td>
                        <TimeAgo iso={c.lastMessageAt} />
                      </td>
                      <td className={ui.num}>{formatCount(c.messageCount)}</td>
                      <td>
                        {c.lead ? (
                          <Link href={`/leads/${c.lead.id}`}>
                            <StatusBadge status={c.lead.status} /> score {c.lead.score}
                          </Link>
                        ) : (
                          <span className={ui.muted}>none</span>
                        )}
                      </td>
                      <td>{c.visitorId ? <code title={c.visitorId}>{shortId(c.visitorId)}</code> : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {list.hasNextPage && (
              <div className={ui.more}>
                <button type="button" className={ui.button} onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {list.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </section>
        ))}
    </>
  );
}
