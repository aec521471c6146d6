"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import { codeOf } from "../api/errors";
import type { Lead } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import { TimeAgo } from "../components/time-ago";
import ui from "../components/ui.module.css";
import { contactFacts, factorLabel, formatPoints, leadName, signalFacts } from "./format";
import styles from "./leads.module.css";
import { Score } from "./score";
import { StatusBadge } from "./status-badge";

/** One lead: who they are, what they said they need, how their score adds up, and the conversation it came from. */
export function LeadPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const lead = useQuery(trpc.leads.get.queryOptions({ id }, { refetchInterval: 5_000 }));
  // A malformed id is refused as bad input; to the admin, both mean the same.
  const missing = lead.isError && ["NOT_FOUND", "BAD_REQUEST"].includes(codeOf(lead.error) ?? "");

  return (
    <>
      <Link href="/leads" className={ui.back}>
        ← All leads
      </Link>
      {lead.isPending && <p>Loading the lead…</p>}
      {missing && (
        <>
          <h1 className={ui.title}>Lead not found</h1>
          <p>There is no such lead in your organization. It may have been removed, or the link is incomplete.</p>
        </>
      )}
      {lead.isError && !missing && <LoadFailure what="the lead" error={lead.error} onRetry={() => lead.refetch()} />}
      {lead.data && <LeadDetails lead={lead.data} />}
    </>
  );
}

function LeadDetails({ lead }: { lead: Lead }) {
  const contact = contactFacts(lead.contact);
  const signals = signalFacts(lead.signals);
  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>{leadName(lead.contact)}</h1>
          <div className={styles.headline}>
            <StatusBadge status={lead.status} />
            <span className={styles.bigScore}>
              Score <Score score={lead.score} />
            </span>
            <span className={ui.muted}>
              first seen <TimeAgo iso={lead.createdAt} />, updated <TimeAgo iso={lead.updatedAt} />
            </span>
          </div>
          <ul className={styles.links}>
            <li>
              <Link href={`/conversations/${lead.sessionId}`}>Open the conversation</Link>
            </li>
            {lead.contact.email && (
              <li>
                <a href={`mailto:${lead.contact.email}`}>Email {lead.contact.email}</a>
              </li>
            )}
          </ul>
        </div>
      </div>

      <Panel title="Contact">
        {contact.length === 0 ? (
          <p className={ui.muted}>The visitor has not given any contact details yet.</p>
        ) : (
          <dl className={ui.facts} data-testid="lead-contact">
            {contact.map((fact) => (
              <div key={fact.label}>
                <dt>{fact.label}</dt>
                <dd>{fact.value}</dd>
              </div>
            ))}
          </dl>
        )}
        <h3 className={ui.subheading}>Qualification</h3>
        {signals.length === 0 ? (
          <p className={ui.muted}>No budget, timeline, team size or need mentioned yet.</p>
        ) : (
          <dl className={ui.facts} data-testid="lead-signals">
            {signals.map((fact) => (
              <div key={fact.label}>
                <dt>{fact.label}</dt>
                <dd>{fact.value}</dd>
              </div>
            ))}
          </dl>
        )}
      </Panel>

      <Panel title="Score breakdown">
        {lead.scoreBreakdown.length === 0 ? (
          <p className={ui.muted}>Nothing has counted towards the score yet.</p>
        ) : (
          <div className={ui.tableWrap} role="region" aria-label="Score breakdown table" tabIndex={0}>
            <table className={ui.table} data-testid="score-breakdown">
              <thead>
                <tr>
                  <th scope="col">Factor</th>
                  <th scope="col" className={ui.num}>
                    Points
                  </th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {lead.scoreBreakdown.map((factor, i) => (
                  <tr key={`${factor.factor}-${i}`}>
                    <th scope="row">{factorLabel(factor.factor)}</th>
                    <td className={ui.num}>{formatPoints(factor.points)}</td>
                    <td>{factor.reason}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr className={styles.total}>
                  <th scope="row">Score</th>
                  <td className={ui.num}>{lead.score}</td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </Panel>
    </>
  );
}
