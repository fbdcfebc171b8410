import { useEffect, useState } from "preact/hooks";
import { ApiError, type Api, type VerificationRequest } from "../lib/api";
import { formatTime, t, type Key } from "../lib/i18n";

const OPEN = new Set(["submitted", "in_review"]);

function message(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : String(failure);
}

/** The business's verification: its badge, its latest request (checks, documents), apply, upload, withdraw. */
export function Verification({ api }: { api: Api }) {
  const [business, setBusiness] = useState<Record<string, any> | null>(null);
  const [requests, setRequests] = useState<VerificationRequest[] | null>(null);
  const [status, setStatus] = useState("");
  const load = () => {
    api.business().then(setBusiness, (e) => setStatus(message(e)));
    api.verificationRequests().then(
      (page) => setRequests([...page.items].sort((a, b) => b.submitted_at.localeCompare(a.submitted_at))),
      (e) => setStatus(message(e)),
    );
  };
  useEffect(() => {
    load();
    const timer = setInterval(load, 3000); // a reviewer's decision shows without a reload
    return () => clearInterval(timer);
  }, []);
  const latest = requests?.[0];
  const badge = business?.badge as { verified_name: string; verified_since: string } | undefined;
  return (
    <div class="settings">
      <section class="card" aria-labelledby="badge-title">
        <h2 id="badge-title">{t("verification")}</h2>
        {business === null ? (
          <p class="muted">{t("loading")}</p>
        ) : badge ? (
          <p class="badge-verified" data-verified="true">
            ✔ {t("verified", { name: badge.verified_name, when: formatTime(badge.verified_since) })}
          </p>
        ) : (
          <p class="muted" data-verified="false">
            {t("notVerified")}
          </p>
        )}
      </section>
      {latest && <RequestCard api={api} request={latest} changed={load} setStatus={setStatus} />}
      {requests !== null && business !== null && (!latest || !OPEN.has(latest.state)) && !badge && (
        <ApplyForm api={api} business={business} submitted={load} setStatus={setStatus} />
      )}
      {status && (
        <p role="status" class="status-line">
          {status}
        </p>
      )}
    </div>
  );
}

function RequestCard({
  api,
  request,
  changed,
  setStatus,
}: {
  api: Api;
  request: VerificationRequest;
  changed: () => void;
  setStatus: (text: string) => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const open = OPEN.has(request.state);
  const upload = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    try {
      await api.uploadDocument(request.request_id, file);
      setStatus(t("uploaded"));
      setFile(null);
      (event.target as HTMLFormElement).reset();
      changed();
    } catch (failure) {
      setStatus(message(failure));
    } finally {
      setBusy(false);
    }
  };
  const withdraw = async () => {
    try {
      await api.withdrawVerification(request.request_id);
      changed();
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  return (
    <section class="card request" aria-labelledby="request-title" data-request={request.request_id}>
      <h2 id="request-title">
        {t("request")}{" "}
        <span class={`badge state-${request.state}`} data-state={request.state}>
          {t(`state_${request.state}` as Key)}
        </span>
      </h2>
      <p class="muted">
        {request.legal_name} · {request.registration_number} · {request.register_name} ·{" "}
        {formatTime(request.submitted_at)}
      </p>
      {(request.decision_reason || request.revoked_reason) && (
        <p>
          {t("reason")}: {request.revoked_reason ?? request.decision_reason}
        </p>
      )}
      <h3>{t("checks")}</h3>
      <ul class="list">
        {request.checks.map((check) => (
          <li key={check.name}>
            <span aria-hidden="true">{check.passed ? "✓" : "⚠"}</span> {check.name}{" "}
            <span class="muted">{check.detail}</span>
          </li>
        ))}
      </ul>
      <h3>{t("documents")}</h3>
      <ul class="list documents">
        {request.documents.map((document) => (
          <li key={document.document_id} data-document-state={document.state}>
            {document.filename} <span class="badge">{document.state}</span>
          </li>
        ))}
      </ul>
      {open && (
        <>
          <form class="row" onSubmit={upload}>
            <label for="document">{t("uploadDocument")}</label>
            <input
              id="document"
              type="file"
              accept="application/pdf,image/png,image/jpeg"
              onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
            />
            <button type="submit" disabled={!file || busy}>
              {t("upload")}
            </button>
          </form>
          <p>
            <button type="button" class="secondary" onClick={withdraw}>
              {t("withdraw")}
            </button>
          </p>
        </>
      )}
    </section>
  );
}

function ApplyForm({
  api,
  business,
  submitted,
  setStatus,
}: {
  api: Api;
  business: Record<string, any>;
  submitted: () => void;
  setStatus: (text: string) => void;
}) {
  const [fields, setFields] = useState<Record<string, string>>({
    legal_name: business.legal_name ?? "",
    registration_number: "",
    register_name: "",
    country: business.country ?? "",
    registered_address: "",
    website: business.website ?? "",
    contact_email: business.contact_email ?? "",
  });
  const field = (name: string, label: Key, type = "text") => (
    <>
      <label for={`v-${name}`}>{t(label)}</label>
      <input
        id={`v-${name}`}
        type={type}
        required
        value={fields[name]}
        onInput={(e) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value })}
      />
    </>
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await api.submitVerification({ ...fields, size: business.size });
      setStatus("");
      submitted();
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  return (
    <form class="card stack" onSubmit={submit} aria-labelledby="apply-title">
      <h2 id="apply-title">{t("apply")}</h2>
      {field("legal_name", "legalName")}
      {field("registration_number", "registrationNumber")}
      {field("register_name", "registerName")}
      {field("country", "country")}
      {field("registered_address", "registeredAddress")}
      {field("website", "website", "url")}
      {field("contact_email", "contactEmail", "email")}
      <button type="submit">{t("submit")}</button>
    </form>
  );
}
