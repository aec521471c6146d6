"use client";

import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import { codeOf } from "../api/errors";
import type { Conversation, ConversationMessage, MessageTiming } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { TimeAgo } from "../components/time-ago";
import ui from "../components/ui.module.css";
import { StatusBadge } from "../leads/status-badge";
import { formatCount, formatDateTime, formatMs, formatUsd } from "../shared/format";
import styles from "./conversations.module.css";
import { answerFacts, describeStatus, orderStages, roleLabel, shortId } from "./format";

/**
 * One conversation, oldest message first; each answer with where its time
 * went and what it cost. The latest messages come first; older ones a page at
 * a time, on request.
 */
export function ConversationPage({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const conversation = useInfiniteQuery(
    trpc.conversations.get.infiniteQueryOptions({ sessionId }, { getNextPageParam: (page) => page.nextCursor, refetchInterval: 5_000 }),
  );
  const missing = conversation.isError && ["NOT_FOUND", "BAD_REQUEST"].includes(codeOf(conversation.error) ?? "");

  return (
    <>
      <Link href="/conversations" className={ui.back}>
        ← All conversations
      </Link>
      {conversation.isPending && <p>Loading the conversation…</p>}
      {missing && (
        <>
          <h1 className={ui.title}>Conversation not found</h1>
          <p>There is no such conversation in your organization. The link may be incomplete.</p>
        </>
      )}
      {conversation.isError && !missing && <LoadFailure what="the conversation" error={conversation.error} onRetry={() => conversation.refetch()} />}
      {conversation.data && (
        <ConversationDetails
          pages={conversation.data}
          older={conversation.hasNextPage ? { loading: conversation.isFetchingNextPage, load: () => void conversation.fetchNextPage() } : null}
        />
      )}
    </>
  );
}

function ConversationDetails({ pages, older }: { pages: InfiniteData<Conversation, unknown>; older: { loading: boolean; load: () => void } | null }) {
  // Page 0 holds the latest messages and the conversation's totals; later pages are older.
  const conversation = pages.pages[0]!;
  const messages = [...pages.pages].reverse().flatMap((page) => page.messages);
  const { lead } = conversation;
  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Conversation {shortId(conversation.sessionId)}</h1>
          <p className={ui.muted}>
            Started {formatDateTime(conversation.startedAt)}
            {conversation.lastMessageAt && (
              <>
                , last message <TimeAgo iso={conversation.lastMessageAt} />
              </>
            )}
            . {formatCount(conversation.messageCount)} message{conversation.messageCount === 1 ? "" : "s"}, {formatUsd(conversation.totalCostUsd)} in
            total.
          </p>
        </div>
      </div>
      <section className={ui.panel} aria-label="Lead">
        {lead ? (
          <p className={ui.muted} data-testid="conversation-lead">
            This conversation produced a lead: <StatusBadge status={lead.status} /> with score {lead.score}.{" "}
            <Link href={`/leads/${lead.id}`}>Open the lead</Link>
          </p>
        ) : (
          <p className={ui.muted} data-testid="conversation-lead">
            No lead yet: one is created once the visitor says enough about themselves or their need.
          </p>
        )}
      </section>

      <h2 className="visually-hidden">Messages</h2>
      {older && (
        <div className={ui.more}>
          <button type="button" className={ui.button} onClick={older.load} disabled={older.loading}>
            {older.loading ? "Loading…" : "Load older messages"}
          </button>
        </div>
      )}
      <ol className={styles.messages} aria-label="Messages">
        {messages.map((message) => (
          <li key={message.id}>
            <Message message={message} />
          </li>
        ))}
      </ol>
    </>
  );
}

function Message({ message }: { message: ConversationMessage }) {
  const status = describeStatus(message);
  const facts = message.role === "assistant" ? answerFacts(message) : [];
  const label = `${roleLabel(message.role)}, ${formatDateTime(message.createdAt)}`;
  return (
    <article className={message.role === "user" ? styles.visitor : styles.message} aria-label={label}>
      <header className={styles.messageHeader}>
        <h3 className={styles.author}>{roleLabel(message.role)}</h3>
        <span className={styles.when}>
          <TimeAgo iso={message.createdAt} />
        </span>
        {status && <span className={message.status === "failed" ? ui.badgeDanger : ui.badgeWarning}>{status}</span>}
      </header>
      {/* Plain text: whatever the visitor or the model wrote is shown, never interpreted. */}
      <p className={styles.content}>{message.content || <span className={ui.muted}>(empty)</span>}</p>
      {message.feedback && (
        <p className={styles.feedback}>
          Visitor rated this answer <strong>{message.feedback.rating === "up" ? "good" : "not good"}</strong>
          {message.feedback.comment ? <>: &ldquo;{message.feedback.comment}&rdquo;</> : null}
        </p>
      )}
      {message.role === "assistant" && (
        <div className={styles.timing} data-testid="message-timing">
          {facts.length === 0 ? (
            <p className={ui.muted}>No timing recorded for this answer yet.</p>
          ) : (
            <dl className={ui.facts}>
              {facts.map((fact) => (
                <div key={fact.label}>
                  <dt>{fact.label}</dt>
                  <dd>{fact.value}</dd>
                </div>
              ))}
            </dl>
          )}
          {message.timing && message.timing.stages.length > 0 && <StageList stages={message.timing.stages} label={`Stages: ${label}`} />}
        </div>
      )}
    </article>
  );
}

function StageList({ stages, label }: { stages: MessageTiming["stages"]; label: string }) {
  const failed = stages.filter((s) => !s.ok).length;
  return (
    <details className={styles.stages}>
      <summary>
        {stages.length} stage{stages.length === 1 ? "" : "s"}
        {failed ? `, ${failed} failed` : ""}
      </summary>
      <div className={ui.tableWrap} role="region" aria-label={label} tabIndex={0}>
        <table className={ui.table}>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Mode</th>
              <th scope="col" className={ui.num}>
                Time
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {orderStages(stages).map((stage) => (
              <tr key={`${stage.name}-${stage.mode}`}>
                <th scope="row">
                  <code>{stage.name}</code>
                </th>
                <td>{stage.mode}</td>
                <td className={ui.num}>{stage.mode === "background" ? "after the reply" : formatMs(stage.ms)}</td>
                <td className={stage.ok ? undefined : styles.failedStage}>{stage.ok ? "ok" : "failed"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
