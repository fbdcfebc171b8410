import { useMemo } from "preact/hooks";
import type { Session } from "../lib/auth";
import type { ConsoleConfig } from "../lib/config";
import { t } from "../lib/i18n";
import { AdminApi, credentialSource } from "../lib/reviewer";
import { Review } from "./Review";

/** A reviewer's console: bizline's verification queue only (a reviewer belongs to no business). */
export function ReviewerConsole({
  config,
  session,
  requestId,
  open,
  signedOut,
}: {
  config: ConsoleConfig;
  session: Session;
  requestId?: string;
  open: (requestId?: string) => void;
  signedOut: () => void;
}) {
  // The short-lived credentials live in this closure: a sign-out (a new session) drops them.
  const admin = useMemo(() => new AdminApi(config, credentialSource(config, session), signedOut), [config, session]);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t("reviewQueue")}
      </a>
      <header class="topbar">
        <span class="brand">bizline</span>
        <nav aria-label="main">
          <a
            href={`${import.meta.env.BASE_URL}review`}
            aria-current="page"
            onClick={(event) => {
              event.preventDefault();
              open();
            }}
          >
            {t("review")}
          </a>
        </nav>
        <span class="member">
          <span class="email">{session.email}</span> <span class="role">{t("role_reviewer")}</span>
        </span>
        <button type="button" class="secondary" onClick={signedOut}>
          {t("signOut")}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Review admin={admin} requestId={requestId} open={open} />
      </main>
    </div>
  );
}
