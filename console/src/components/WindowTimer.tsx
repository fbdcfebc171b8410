import { useEffect, useState } from "preact/hooks";
import { t } from "../lib/i18n";
import { formatLeft, windowState } from "../lib/serviceWindow";

/** The customer service window: open with the time left (ticking), or closed. */
export function WindowTimer({ expiresAt, now = Date.now }: { expiresAt?: string | null; now?: () => number }) {
  const [current, setCurrent] = useState(now());
  useEffect(() => {
    const timer = setInterval(() => setCurrent(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  const state = windowState(expiresAt, current);
  return (
    <p class={`window ${state.open ? "window-open" : "window-closed"}`} data-open={String(state.open)} role="status">
      {state.open ? `${t("windowOpen")} · ${t("windowLeft", { time: formatLeft(state.msLeft) })}` : t("windowClosed")}
    </p>
  );
}
