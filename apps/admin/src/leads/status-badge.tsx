import type { LeadStatus } from "../api/types";
import ui from "../components/ui.module.css";
import { statusLabel, statusTone } from "./format";

const TONES = { plain: ui.badge, accent: ui.badgeAccent, good: ui.badgeGood, danger: ui.badgeDanger } as const;

export function StatusBadge({ status }: { status: LeadStatus }) {
  return <span className={TONES[statusTone(status)]}>{statusLabel(status)}</span>;
}
