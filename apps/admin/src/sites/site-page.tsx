"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import { LoadFailure } from "../components/load-failure";
import ui from "../components/ui.module.css";
import { EmbedSnippet } from "./embed-snippet";
import { widgetOriginOf } from "./format";
import { SiteSettingsForm } from "./site-settings-form";
import { SpendPanel } from "./spend-panel";

/**
 * One site: its embed snippet, its spend so far (refreshed every 10 s), and
 * the settings an admin changes. Nothing is editable until we know who this
 * is, so a viewer never meets a live field.
 */
export function SitePage({ id, widgetUrl }: { id: string; widgetUrl: string | null }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const sites = useQuery(trpc.sites.list.queryOptions());
  const site = sites.data?.find((s) => s.id === id);
  // Only for a site of this organization: another id would only be refused.
  const limits = useQuery(trpc.sites.limits.queryOptions({ id }, { enabled: site !== undefined, refetchInterval: 10_000 }));

  if (sites.data && !site) {
    return (
      <>
        <h1 className={ui.title}>No such site</h1>
        <p className={ui.intro}>This organization has no site at this address.</p>
        <Link href="/sites" className={ui.back}>
          ← All sites
        </Link>
      </>
    );
  }

  return (
    <>
      <div className={ui.top}>
        <div>
          <Link href="/sites" className={ui.back}>
            ← All sites
          </Link>
          <h1 className={ui.title}>{site ? site.name : "Site"}</h1>
          {site && (
            <p className={ui.intro}>
              Site key <code>{site.publicKey}</code>. Changes apply to the next message on every server; a page newly allowed can show the chat within a few
              seconds.
            </p>
          )}
        </div>
      </div>

      {me.data?.role === "viewer" && (
        <p className={ui.note} data-testid="sites-viewer-note">
          You are signed in as a viewer: you can read this site&apos;s settings, but only an admin can change them.
        </p>
      )}
      {(sites.isPending || (site && limits.isPending)) && <p>Loading the site…</p>}
      {sites.isError && <LoadFailure what="the site" error={sites.error} onRetry={() => sites.refetch()} />}
      {limits.isError && <LoadFailure what="the site's limits" error={limits.error} onRetry={() => limits.refetch()} />}
      {site && (
        <>
          <EmbedSnippet widgetUrl={widgetUrl} siteKey={site.publicKey} />
          {limits.data && (
            <>
              <SpendPanel limits={limits.data} />
              <SiteSettingsForm key={site.id} site={site} limits={limits.data} widgetOrigin={widgetOriginOf(widgetUrl)} canChange={me.data?.role === "admin"} />
            </>
          )}
        </>
      )}
    </>
  );
}
