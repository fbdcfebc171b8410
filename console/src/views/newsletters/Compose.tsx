import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError } from "../../lib/api";
import type { BusinessApi, Newsletter, PhoneNumber, Subscriber } from "../../lib/businessApi";
import { formatTime } from "../../lib/i18n";
import { apiVariables, incomplete, initialChoices, previewFor, type VariableChoice } from "../../lib/newsletterVariables";
import { browserZone, momentOf, sendAtOf, timeZones, wallClockIn } from "../../lib/schedule";
import { st } from "../../lib/screenTexts";
import { sendable, variableKeys, type MessageTemplate } from "../../lib/templates";

interface Props {
  calls: BusinessApi;
  templates: MessageTemplate[];
  subscribers: Subscriber[];
  numbers: PhoneNumber[];
  created: (newsletter: Newsletter) => void;
}

const value = (event: Event) => (event.target as HTMLInputElement).value;

/** An owner composes a newsletter from an approved template, previews it per subscriber, schedules it in a zone. */
export function Compose({ calls, templates, subscribers, numbers, created }: Props) {
  const approved = sendable(templates);
  const [name, setName] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [from, setFrom] = useState("");
  const [choices, setChoices] = useState<Record<string, VariableChoice>>({});
  const [previewId, setPreviewId] = useState("");
  const [audience, setAudience] = useState<"all" | "tags">("all");
  const [tags, setTags] = useState("");
  const [timing, setTiming] = useState<"later" | "now">("later");
  const [zone, setZone] = useState(browserZone());
  const [local, setLocal] = useState(() => wallClockIn(3600, browserZone()));
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const zones = useMemo(timeZones, []);

  const template = approved.find((candidate) => candidate.template_id === templateId) ?? approved[0] ?? null;
  useEffect(() => {
    if (template) setChoices(initialChoices(template));
  }, [template?.template_id]);
  useEffect(() => {
    if (!from && numbers[0]) setFrom(numbers[0].phone_number_id);
  }, [numbers]);
  const subscriber = subscribers.find((s) => s.customer_id === previewId) ?? subscribers[0] ?? null;
  const shown = template ? previewFor(template, choices, subscriber) : null;
  const moment = timing === "later" && local ? momentOf(local, zone) : null;
  const choose = (key: string, change: Partial<VariableChoice>) =>
    setChoices((current) => ({ ...current, [key]: { ...current[key], ...change } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!template?.name || !template.language) return;
    setBusy(true);
    setStatus("");
    try {
      const tagList = tags.toLowerCase().split(/[\s,]+/).filter(Boolean);
      const newsletter = await calls.createNewsletter({
        name: name.trim(),
        from_phone_number_id: from,
        template: { name: template.name, language: template.language },
        variables: apiVariables(template, choices),
        audience: audience === "tags" ? { type: "tags", tags: tagList } : { type: "all" },
        ...(timing === "later" ? sendAtOf(local, zone) : {}),
      });
      const started = timing === "now" ? await calls.sendNewsletterNow(newsletter.newsletter_id) : newsletter;
      setStatus(st("created", { name: started.name }));
      setName("");
      created(started);
    } catch (failure) {
      setStatus(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  if (!template) {
    return (
      <section class="card" aria-labelledby="compose-title">
        <h2 id="compose-title">{st("composeTitle")}</h2>
        <p class="muted">{st("noApprovedTemplate")}</p>
      </section>
    );
  }
  const missing = incomplete(template, choices);
  return (
    <section class="card" aria-labelledby="compose-title">
      <h2 id="compose-title">{st("composeTitle")}</h2>
      <form class="stack compose" onSubmit={submit}>
        <label for="nl-name">{st("newsletterName")}</label>
        <input id="nl-name" required maxLength={120} value={name} onInput={(e) => setName(value(e))} />
        <label for="nl-template">{st("template")}</label>
        <select id="nl-template" value={template.template_id} onChange={(e) => setTemplateId(value(e))}>
          {approved.map((candidate) => (
            <option key={candidate.template_id} value={candidate.template_id}>
              {candidate.name} ({candidate.language})
            </option>
          ))}
        </select>
        <label for="nl-from">{st("fromNumber")}</label>
        <select id="nl-from" required value={from} onChange={(e) => setFrom(value(e))}>
          {numbers.map((number) => (
            <option key={number.phone_number_id} value={number.phone_number_id}>
              {number.display_phone_number} {number.verified_name ? `· ${number.verified_name}` : ""}
            </option>
          ))}
        </select>
        {numbers.length === 0 && <p class="muted">{st("noNumbers")}</p>}
        {variableKeys(template).map((key, index) => {
          const choice = choices[key] ?? { from: "text", value: "", fallback: "" };
          return (
            <fieldset key={key} class="variable">
              <legend>{st("fillFrom", { name: `{{${key.split(".").slice(1).join(".")}}}` })}</legend>
              <select
                id={`nl-var-${index}-from`}
                aria-label={st("fillFrom", { name: key })}
                value={choice.from}
                onChange={(e) => choose(key, { from: value(e) as VariableChoice["from"] })}
              >
                <option value="attribute">{st("fromAttribute")}</option>
                <option value="text">{st("fromText")}</option>
              </select>
              <input
                id={`nl-var-${index}`}
                aria-label={choice.from === "attribute" ? st("attributeName") : st("fixedText")}
                placeholder={choice.from === "attribute" ? st("attributeName") : st("fixedText")}
                value={choice.value}
                onInput={(e) => choose(key, { value: value(e) })}
              />
              {choice.from === "attribute" && (
                <input
                  id={`nl-var-${index}-fallback`}
                  aria-label={st("fallback")}
                  placeholder={st("fallback")}
                  value={choice.fallback}
                  onInput={(e) => choose(key, { fallback: value(e) })}
                />
              )}
            </fieldset>
          );
        })}
        <label for="nl-preview-subscriber">{st("previewFor")}</label>
        <select id="nl-preview-subscriber" value={subscriber?.customer_id ?? ""} onChange={(e) => setPreviewId(value(e))}>
          {subscribers.map((s) => (
            <option key={s.customer_id} value={s.customer_id}>
              {s.attributes.first_name ?? s.attributes.name ?? ""} {s.wa_id ?? s.user_id}
            </option>
          ))}
        </select>
        {shown && (
          <div class="newsletter-preview" aria-live="polite">
            <p class="template-preview message outbound">{shown.text}</p>
            {shown.skipped && <p class="muted">{st("skippedPreview")}</p>}
          </div>
        )}
        <fieldset>
          <legend>{st("audience")}</legend>
          <label>
            <input type="radio" name="nl-audience" checked={audience === "all"} onChange={() => setAudience("all")} /> {st("audienceAll")}
          </label>
          <label>
            <input type="radio" name="nl-audience" checked={audience === "tags"} onChange={() => setAudience("tags")} /> {st("audienceTags")}
          </label>
          {audience === "tags" && (
            <input id="nl-tags" aria-label={st("tagsField")} placeholder={st("tagsField")} value={tags} onInput={(e) => setTags(value(e))} />
          )}
        </fieldset>
        <fieldset>
          <legend>{st("when")}</legend>
          <label>
            <input type="radio" name="nl-timing" checked={timing === "later"} onChange={() => setTiming("later")} /> {st("sendLater")}
          </label>
          <label>
            <input id="nl-now" type="radio" name="nl-timing" checked={timing === "now"} onChange={() => setTiming("now")} /> {st("sendNow")}
          </label>
          {timing === "later" && (
            <div class="row">
              <label for="nl-send-at">{st("sendAtLocal")}</label>
              <input id="nl-send-at" type="datetime-local" step={1} required value={local} onInput={(e) => setLocal(value(e))} />
              <label for="nl-zone">{st("timeZone")}</label>
              <select id="nl-zone" value={zone} onChange={(e) => setZone(value(e))}>
                {zones.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {candidate}
                  </option>
                ))}
              </select>
            </div>
          )}
          {moment && !Number.isNaN(moment.getTime()) && <p class="muted">{st("sendsAt", { moment: formatTime(moment.toISOString()) })}</p>}
        </fieldset>
        <button type="submit" disabled={busy || !name.trim() || !from || missing.length > 0}>
          {timing === "now" ? st("sendNowButton") : st("schedule")}
        </button>
      </form>
      {status && <p role="status">{status}</p>}
    </section>
  );
}
