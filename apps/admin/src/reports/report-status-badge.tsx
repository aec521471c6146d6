import ui from "../components/ui.module.css";
import { reportStatus } from "./format";

const TONES = { good: ui.badgeGood, accent: ui.badgeAccent } as const;

/** "Complete", or "So far" for a report generated before its day ended. */
export function ReportStatusBadge({ complete }: { complete: boolean }) {
  const status = reportStatus(complete);
  return <span className={TONES[status.tone]}>{status.label}</span>;
}
