import { useEffect, useState } from "preact/hooks";
import type { Api } from "../lib/api";
import { t } from "../lib/i18n";

/** Templates and subscribers, read-only (composing and scheduling come with the newsletters' API). */
export function Newsletters({ api, readOnly }: { api: Api; readOnly: boolean }) {
  const [templates, setTemplates] = useState<Record<string, any>[] | null>(null);
  const [subscribers, setSubscribers] = useState<Record<string, any>[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api.templates().then((page) => setTemplates(page.items), (e) => setError(String(e.message ?? e)));
    api.subscribers().then((page) => setSubscribers(page.items), (e) => setError(String(e.message ?? e)));
  }, []);
  return (
    <div class="settings">
      {readOnly && <p class="muted">{t("readOnly")}</p>}
      <section class="card" aria-labelledby="templates-title">
        <h2 id="templates-title">{t("templates")}</h2>
        {templates === null ? (
          <p class="muted">{t("loading")}</p>
        ) : templates.length === 0 ? (
          <p class="muted">{t("nothingYet")}</p>
        ) : (
          <ul class="list">
            {templates.map((template) => (
              <li key={template.template_id} class="row">
                <span>
                  <strong>{template.name}</strong> <span class="muted">{template.language}</span>
                </span>
                <span class={`badge state-${template.status}`}>{template.status}</span>
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
          <ul class="list">
            {subscribers.map((subscriber) => (
              <li key={subscriber.customer_id} class="row">
                <span>{subscriber.name ?? subscriber.wa_id ?? subscriber.customer_id}</span>
                <span class="badge">{subscriber.status ?? subscriber.consent ?? ""}</span>
              </li>
            ))}
          </ul>
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
