import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../lib/api";
import { formatTime, lang, t, type Key } from "../lib/i18n";
import { oldestFirst, type AdminApi, type AuditEntry, type DocumentLink, type ReviewedRequest } from "../lib/reviewer";
import { usePolling } from "../lib/usePolling";

// The queue is read again every few seconds: another reviewer's claim takes a request out of it.
const POLL_MS = 5000;
const euros = new Intl.NumberFormat(lang === "de" ? "de-AT" : "en-GB");
export const QUEUE_STATES = ["submitted", "in_review", "approved", "rejected"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

function message(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : String(failure);
}

/** bizline's reviewers: the verification queue oldest first, one request's evidence, claim, decide, the trail. */
export function Review({
  admin,
  requestId,
  open,
}: {
  admin: AdminApi;
  requestId?: string;
  open: (requestId?: string) => void;
}) {
  const [state, setState] = useState<QueueState>("submitted");
  const { data, error, reload } = usePolling(() => admin.queue(state), POLL_MS, [state]);
  const queue = oldestFirst(data?.items ?? []);
  return (
    <div class={`inbox review ${requestId ? "has-thread" : ""}`}>
      <section class="conversation-list review-queue" aria-labelledby="queue-title">
        <h2 id="queue-title">
          {t("reviewQueue")} <span class="muted">· {t("oldestFirst")}</span>
        </h2>
        <div class="search">
          <label class="visually-hidden" for="queue-state">
            {t("queueState")}
          </label>
          <select
            id="queue-state"
            value={state}
            onChange={(event) => setState((event.target as HTMLSelectElement).value as QueueState)}
          >
            {QUEUE_STATES.map((name) => (
              <option key={name} value={name}>
                {t(`state_${name}` as Key)}
              </option>
            ))}
          </select>
        </div>
        {error && <p class="error">{message(error)}</p>}
        {data && !queue.length && <p class="muted">{t("queueEmpty")}</p>}
        <ul>
          {queue.map((request) => (
            <li key={request.request_id}>
              <button
                type="button"
                class={`conversation review-item ${request.request_id === requestId ? "selected" : ""}`}
                data-request={request.request_id}
                aria-current={request.request_id === requestId ? "true" : undefined}
                onClick={() => open(request.request_id)}
              >
                <span class="who">{request.display_name}</span>
                <span class="when">{formatTime(request.submitted_at)}</span>
                <span class="preview">
                  {request.legal_name} · {request.registration_number}
                  {request.flagged ? ` · ⚠ ${t("flagged")}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section class="thread-pane" aria-label={t("request")}>
        {requestId ? (
          <RequestReview key={requestId} admin={admin} requestId={requestId} back={() => open()} changed={reload} />
        ) : (
          <p class="empty muted">{t("pickRequest")}</p>
        )}
      </section>
    </div>
  );
}

function RequestReview({
  admin,
  requestId,
  back,
  changed,
}: {
  admin: AdminApi;
  requestId: string;
  back: () => void;
  changed: () => void;
}) {
  const [request, setRequest] = useState<ReviewedRequest | null>(null);
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [status, setStatus] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const load = async () => {
    try {
      const [details, trail] = await Promise.all([admin.details(requestId), admin.audit(requestId)]);
      // The documents' links stay as first given while the same documents are shown: a fresh presigned
      // link would reload (and interrupt) a preview the reviewer is reading after each claim or decision.
      setRequest((shown) => (shown && sameDocuments(shown, details) ? { ...details, document_links: shown.document_links } : details));
      setAudit(trail.entries);
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  useEffect(() => {
    load().then(() => heading.current?.focus()); // keyboard: the opened request takes the focus
  }, [requestId]);
  const act = async (action: () => Promise<unknown>, done: Key) => {
    try {
      await action();
      setStatus(t(done));
      await load();
      changed();
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  if (!request) return <p class="empty muted">{status || t("loading")}</p>;
  return (
    <div class="settings review-request" data-request={request.request_id}>
      <button type="button" class="secondary back" onClick={back}>
        ← {t("back")}
      </button>
      <section class="card" aria-labelledby="review-title">
        <h2 id="review-title" ref={heading} tabIndex={-1}>
          {request.display_name}{" "}
          <span class={`badge state-${request.state}`} data-state={request.state}>
            {t(`state_${request.state}` as Key)}
          </span>
        </h2>
        {request.flagged && <p class="error">⚠ {t("flagged")}</p>}
        <dl class="facts">
          <dt>{t("legalName")}</dt>
          <dd>{request.legal_name}</dd>
          <dt>{t("registrationNumber")}</dt>
          <dd>
            {request.registration_number} · {request.register_name}
          </dd>
          <dt>{t("registeredAddress")}</dt>
          <dd>
            {request.registered_address} ({request.country})
          </dd>
          <dt>{t("website")}</dt>
          <dd>{request.website}</dd>
          <dt>{t("contactEmail")}</dt>
          <dd>{request.contact_email}</dd>
          <dt>{t("size")}</dt>
          <dd>
            {t("sizeFigures", {
              employees: String(request.size.employees),
              turnover: euros.format(request.size.annual_turnover_eur),
              balance: euros.format(request.size.balance_sheet_total_eur),
            })}
          </dd>
          <dt>{t("submittedAt")}</dt>
          <dd>{formatTime(request.submitted_at)}</dd>
          {request.claimed_by && (
            <>
              <dt>{t("claimedBy")}</dt>
              <dd>
                <code>{request.claimed_by}</code> · {formatTime(request.claimed_at)}
              </dd>
            </>
          )}
        </dl>
        <h3>{t("checks")}</h3>
        <ul class="list">
          {request.checks.map((check) => (
            <li key={check.name}>
              <span aria-hidden="true">{check.passed ? "✓" : "⚠"}</span> {check.name}{" "}
              <span class="muted">{check.detail}</span>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">{t("documents")}</h2>
        {!request.document_links?.length && <p class="muted">{t("noDocuments")}</p>}
        {request.document_links?.map((link) => <DocumentPreview key={link.document_id} link={link} />)}
      </section>
      <section class="card" aria-labelledby="decision-title">
        <h2 id="decision-title">{t("decision")}</h2>
        {request.state === "submitted" && (
          <button type="button" id="claim" onClick={() => act(() => admin.claim(request.request_id), "claimedOk")}>
            {t("claim")}
          </button>
        )}
        {request.state === "in_review" && (
          <DecisionForm decide={(decision, reason) => act(() => admin.decide(request.request_id, decision, reason), "decidedOk")} />
        )}
        {request.decision_reason && (
          <p>
            {t("reason")}: {request.decision_reason}
          </p>
        )}
        {status && (
          <p role="status" class="status-line">
            {status}
          </p>
        )}
      </section>
      <section class="card" aria-labelledby="audit-title">
        <h2 id="audit-title">{t("auditTrail")}</h2>
        <ol class="list audit">
          {audit.map((entry) => (
            <li key={`${entry.at}-${entry.to_state}`} data-to-state={entry.to_state}>
              <strong>
                {entry.from_state ? `${t(`state_${entry.from_state}` as Key)} → ` : ""}
                {t(`state_${entry.to_state}` as Key)}
              </strong>{" "}
              <span class="muted">{formatTime(entry.at)}</span>
              <br />
              <code>{entry.actor}</code>
              {entry.reason && <p class="audit-reason">{entry.reason}</p>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function sameDocuments(a: ReviewedRequest, b: ReviewedRequest): boolean {
  const ids = (request: ReviewedRequest) => (request.document_links ?? []).map((link) => link.document_id).join(",");
  return ids(a) === ids(b);
}

/** A document shown in the page (an image, or a PDF in a frame) from its short-lived link, and a download link. */
function DocumentPreview({ link }: { link: DocumentLink }) {
  const image = link.content_type.startsWith("image/");
  return (
    <figure class="document-preview" data-document={link.document_id}>
      {image ? (
        <img src={link.preview_url} alt={link.filename} />
      ) : (
        <iframe src={link.preview_url} title={link.filename} />
      )}
      <figcaption>
        <a href={link.url} rel="noopener noreferrer">
          {t("downloadDocument", { name: link.filename })}
        </a>
      </figcaption>
    </figure>
  );
}

function DecisionForm({ decide }: { decide: (decision: "approved" | "rejected", reason: string) => Promise<void> }) {
  const [decision, setDecision] = useState<"approved" | "rejected">("approved");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!reason.trim()) return;
    setBusy(true);
    try {
      await decide(decision, reason.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={submit}>
      <fieldset class="decision">
        <legend class="visually-hidden">{t("decision")}</legend>
        {(["approved", "rejected"] as const).map((value) => (
          <label key={value} for={`decision-${value}`}>
            <input
              id={`decision-${value}`}
              type="radio"
              name="decision"
              value={value}
              checked={decision === value}
              onChange={() => setDecision(value)}
            />{" "}
            {t(value === "approved" ? "approve" : "reject")}
          </label>
        ))}
      </fieldset>
      <label for="decision-reason">{t("decisionReason")}</label>
      <textarea
        id="decision-reason"
        required
        maxLength={1000}
        value={reason}
        onInput={(event) => setReason((event.target as HTMLTextAreaElement).value)}
      />
      <button type="submit" disabled={busy || !reason.trim()}>
        {t("decide")}
      </button>
    </form>
  );
}
