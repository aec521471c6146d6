import { formatCount, formatMs, formatPercent } from "../shared/format";
import ui from "./ui.module.css";

/** One stage by mode, as both metrics.stages and a report's top stages give it. */
export type StageRow = {
  name: string;
  mode: string;
  count: number;
  p50Ms?: number | null;
  p95Ms: number | null;
  share: number | null;
  failures: number;
};

/**
 * Pipeline stages as a scrollable table: runs, p95 (and p50 with `showP50`),
 * share of waiting time and failures. The wrapper is a focusable region so
 * keyboard users can scroll it on a narrow screen.
 */
export function StageTable({ stages, label, testId, showP50 = false }: { stages: readonly StageRow[]; label: string; testId: string; showP50?: boolean }) {
  return (
    <div className={ui.tableWrap} role="region" aria-label={label} tabIndex={0}>
      <table className={ui.table} data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Mode</th>
            <th scope="col" className={ui.num}>
              Runs
            </th>
            {showP50 && (
              <th scope="col" className={ui.num}>
                p50
              </th>
            )}
            <th scope="col" className={ui.num}>
              p95
            </th>
            <th scope="col" className={ui.num}>
              Share
            </th>
            <th scope="col" className={ui.num}>
              Failures
            </th>
          </tr>
        </thead>
        <tbody>
          {stages.map((s) => (
            <tr key={`${s.name}-${s.mode}`}>
              <th scope="row">
                <code>{s.name}</code>
              </th>
              <td>{s.mode}</td>
              <td className={ui.num}>{formatCount(s.count)}</td>
              {showP50 && <td className={ui.num}>{formatMs(s.p50Ms)}</td>}
              <td className={ui.num}>{formatMs(s.p95Ms)}</td>
              <td className={ui.num}>{formatPercent(s.share)}</td>
              <td className={ui.num}>{formatCount(s.failures)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
