"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure } from "../api/errors";
import ui from "../components/ui.module.css";

/**
 * Generates a day's report now (today so far when no day is given), then
 * shows it. Only rendered for admins: the API refuses viewers anyway.
 */
export function GenerateReportButton({ day, children }: { day?: string; children: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const errorId = useId();
  const generate = useMutation(
    trpc.reports.generate.mutationOptions({
      onSuccess: async (report) => {
        // The detail page shows it at once, without asking again.
        queryClient.setQueryData(trpc.reports.get.queryKey({ day: report.day }), report);
        await queryClient.invalidateQueries({ queryKey: trpc.reports.list.queryKey() });
        // Updating (or first generating) the day on screen replaces it in the history; from the list, it is a new page.
        if (day) router.replace(`/reports/${report.day}`);
        else router.push(`/reports/${report.day}`);
      },
    }),
  );

  return (
    <div className={ui.actions}>
      <button
        type="button"
        className={ui.primary}
        aria-disabled={generate.isPending}
        aria-describedby={generate.isError ? errorId : undefined}
        onClick={() => {
          if (!generate.isPending) generate.mutate(day ? { day } : {});
        }}
      >
        {generate.isPending ? "Generating…" : children}
      </button>
      {generate.isError && (
        <p id={errorId} role="alert" className={ui.fieldError}>
          Could not generate the report: {describeFailure(generate.error).message}
        </p>
      )}
    </div>
  );
}
