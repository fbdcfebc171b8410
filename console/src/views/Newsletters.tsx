import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, type Api } from "../lib/api";
import { businessApi, type PhoneNumber, type Subscriber } from "../lib/businessApi";
import { t } from "../lib/i18n";
import { st } from "../lib/screenTexts";
import type { MessageTemplate } from "../lib/templates";
import "../screens.css";
import { Compose } from "./newsletters/Compose";
import { NewsletterList } from "./newsletters/NewsletterList";
import { SubscriberImport } from "./newsletters/SubscriberImport";

// Enough subscribers to choose a preview from and to count; the full list lives in the API.
const SUBSCRIBER_PAGES = 5;

/** Newsletters: their runs live, composing and importing (owners), the templates' approval and the subscribers. */
export function Newsletters({ api, readOnly }: { api: Api; readOnly: boolean }) {
  const calls = useMemo(() => businessApi(api), [api]);
  const [templates, setTemplates] = useState<MessageTemplate[] | null>(null);
  const [subscribers, setSubscribers] = useState<Subscriber[] | null>(null);
  const [numbers, setNumbers] = useState<PhoneNumber[]>([]);
  const [error, setError] = useState("");
  const [version, setVersion] = useState(0);
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));

  const loadSubscribers = async () => {
    const found: Subscriber[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < SUBSCRIBER_PAGES; page++) {
      const answer = await calls.subscribers(cursor);
      found.push(...answer.items);
      cursor = answer.next_cursor ?? undefined;
      if (!cursor) break;
    }
    setSubscribers(found);
  };
  useEffect(() => {
    calls.templates().then((page) => setTemplates(page.items), fail);
    loadSubscribers().catch(fail);
    if (!readOnly) calls.phoneNumbers().then((page) => setNumbers(page.items), fail);
  }, []);
  const subscribed = (subscribers ?? []).filter((s) => s.status === "subscribed");

  return (
    <div class="settings newsletters">
      {readOnly && <p class="muted">{t("readOnly")}</p>}
      <NewsletterList calls={calls} readOnly={readOnly} version={version} />
      {!readOnly && templates && subscribers && (
        <Compose calls={calls} templates={templates} subscribers={subscribed} numbers={numbers} created={() => setVersion((v) => v + 1)} />
      )}
      {!readOnly && <SubscriberImport calls={calls} imported={() => loadSubscribers().catch(fail)} />}
      <section class="card" aria-labelledby="templates-title">
        <h2 id="templates-title">{t("templates")}</h2>
        {templates === null ? (
          <p class="muted">{t("loading")}</p>
        ) : templates.length === 0 ? (
          <p class="muted">{t("nothingYet")}</p>
        ) : (
          <ul class="list">
            {templates.map((template) => (
              <li key={template.template_id} class="row" data-template={template.name}>
                <span>
                  <strong>{template.name}</strong> <span class="muted">{template.language}</span>
                </span>
                <span class={`badge state-${String(template.status).toLowerCase()}`} title={st("approvalState")}>
                  {template.status}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="subscribers-title">
        <h2 id="subscribers-title">{t("subscribers")}</h2>
        {subscribers === null ? (
          <p class="muted">{t("loading")}</p>
        ) : subscribers.length === 0 ? (
          <p class="muted">{t("nothingYet")}</p>
        ) : (
          <>
            <p class="muted">{st("subscriberCount", { count: String(subscribed.length) })}</p>
            <ul class="list subscribers">
              {subscribers.map((subscriber) => (
                <li key={subscriber.customer_id} class="row" data-subscriber={subscriber.wa_id ?? subscriber.user_id ?? ""}>
                  <span>
                    {subscriber.attributes.first_name ?? subscriber.attributes.name ?? ""}{" "}
                    <span class="muted">{subscriber.wa_id ?? subscriber.user_id}</span>
                  </span>
                  <span>
                    {subscriber.tags.map((tag) => (
                      <span key={tag} class="badge tag">
                        {tag}
                      </span>
                    ))}{" "}
                    <span class="badge">{subscriber.status}</span>
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
