import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../lib/api";
import type { BusinessApi, Newsletter, RunStats } from "../../lib/businessApi";
import { formatTime, t } from "../../lib/i18n";
import { st, type ScreenKey } from "../../lib/screenTexts";

// Stats move while a run sends and while Meta's statuses come in after it: a newsletter is
// followed (its runs read again) while scheduled or sending, and for a while after it was sent.
const POLL_MS = 2500;
const FOLLOW_AFTER_SENT_MS = 15 * 60_000;

export function isLive(newsletter: Newsletter, now: number = Date.now()): boolean {
  if (newsletter.state === "scheduled" || newsletter.state === "sending") return true;
  return newsletter.state === "sent" && now - new Date(newsletter.updated_at).getTime() < FOLLOW_AFTER_SENT_MS;
}

const STATS: [keyof RunStats, ScreenKey][] = [
  ["audience", "statAudience"],
  ["queued", "statQueued"],
  ["sent", "statSent"],
  ["delivered", "statDelivered"],
  ["read", "statRead"],
  ["failed", "statFailed"],
];

function Stats({ run }: { run: RunStats }) {
  const skipped = Object.values(run.skipped ?? {}).reduce((sum, n) => sum + n, 0);
  return (
    <dl class="stats" data-run={run.run_id}>
      {STATS.map(([field, label]) => (
        <div key={field} data-stat={field}>
          <dt>{st(label)}</dt>
          <dd>{String(run[field])}</dd>
        </div>
      ))}
      <div data-stat="skipped">
        <dt>{st("statSkipped")}</dt>
        <dd>{skipped}</dd>
      </div>
    </dl>
  );
}

/** The business's newsletters with their state and the latest run's stats, live; owners cancel scheduled ones. */
export function NewsletterList({ calls, readOnly, version }: { calls: BusinessApi; readOnly: boolean; version: number }) {
  const [items, setItems] = useState<Newsletter[] | null>(null);
  const [status, setStatus] = useState("");
  const details = useRef(new Map<string, Newsletter>());
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const page = await calls.newsletters();
        const wanted = page.items.filter((n) => isLive(n) || !details.current.has(n.newsletter_id)).slice(0, 10);
        const read = await Promise.all(wanted.map((n) => calls.newsletter(n.newsletter_id)));
        read.forEach((detail) => details.current.set(detail.newsletter_id, detail));
        if (!active) return;
        setItems(page.items);
        setTick((n) => n + 1);
      } catch (failure) {
        if (active) setStatus(failure instanceof ApiError ? failure.message : String(failure));
      }
      if (active) timer = setTimeout(load, POLL_MS);
    };
    load();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [version]);

  const cancel = async (newsletterId: string) => {
    try {
      const cancelled = await calls.cancelNewsletter(newsletterId);
      details.current.set(newsletterId, cancelled);
      setItems((current) => current?.map((n) => (n.newsletter_id === newsletterId ? cancelled : n)) ?? null);
    } catch (failure) {
      setStatus(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const remove = async (newsletterId: string) => {
    try {
      await calls.deleteNewsletter(newsletterId);
      details.current.delete(newsletterId);
      setItems((current) => current?.filter((n) => n.newsletter_id !== newsletterId) ?? null);
    } catch (failure) {
      setStatus(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return (
    <section class="card" aria-labelledby="newsletters-title" data-tick={tick}>
      <h2 id="newsletters-title">{st("newslettersTitle")}</h2>
      {items === null ? (
        <p class="muted">{t("loading")}</p>
      ) : items.length === 0 ? (
        <p class="muted">{st("noNewsletters")}</p>
      ) : (
        <ul class="list">
          {items.map((listed) => {
            const newsletter = { ...listed, ...(details.current.get(listed.newsletter_id) ?? {}), state: listed.state };
            // The newest run that sent (a skipped firing of a recurring one has nothing to count)
            const run = newsletter.runs?.find((candidate) => candidate.state !== "skipped");
            return (
              <li key={newsletter.newsletter_id} class="newsletter" data-newsletter={newsletter.name} data-state={newsletter.state}>
                <div class="row">
                  <span>
                    <strong>{newsletter.name}</strong>{" "}
                    <span class="muted">
                      {newsletter.template.name}
                      {newsletter.send_at && newsletter.state === "scheduled" ? ` · ${st("scheduledFor", { when: formatTime(newsletter.send_at) })}` : ""}
                    </span>
                  </span>
                  <span class={`badge nl-state nl-${newsletter.state}`}>{st(`nl_${newsletter.state}` as ScreenKey)}</span>
                  {!readOnly && newsletter.state === "scheduled" && (
                    <button type="button" class="secondary" onClick={() => cancel(newsletter.newsletter_id)}>
                      {st("cancel")}
                    </button>
                  )}
                  {!readOnly && newsletter.state !== "sending" && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${st("deleteNewsletter")}: ${newsletter.name}`}
                      onClick={() => remove(newsletter.newsletter_id)}
                    >
                      {st("deleteNewsletter")}
                    </button>
                  )}
                </div>
                {run?.waiting_for_limit_until && (
                  <p class="muted waiting-for-limit">
                    {st("waitingForLimit", { when: formatTime(run.waiting_for_limit_until) })}
                  </p>
                )}
                {run && <Stats run={run} />}
              </li>
            );
          })}
        </ul>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}
