import type { Message } from "../lib/api";
import { t, type Key } from "../lib/i18n";
import { failureReason, TICK_GLYPH, tickFor } from "../lib/status";

export function StatusTicks({ status, errors }: { status: string; errors?: Message["errors"] }) {
  const tick = tickFor(status);
  if (tick === "none") return null;
  const label = t(`status_${status}` as Key) || status;
  const reason = tick === "failed" ? failureReason(errors) : "";
  const text = reason ? `${label}: ${reason}` : label;
  return (
    <span class={`ticks ticks-${tick}`} data-status={status} title={text}>
      <span aria-hidden="true">{TICK_GLYPH[tick]}</span>
      <span class="visually-hidden">{text}</span>
      {reason && <span class="failure-reason">{reason}</span>}
    </span>
  );
}
