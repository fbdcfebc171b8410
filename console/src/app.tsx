import { useEffect, useMemo, useState } from "preact/hooks";
import { Api } from "./lib/api";
import { refresh, signOut, storedSession, type Session } from "./lib/auth";
import { loadConfig, type ConsoleConfig } from "./lib/config";
import { lang, t, type Key } from "./lib/i18n";
import { Inbox } from "./views/Inbox";
import { Newsletters } from "./views/Newsletters";
import { Settings } from "./views/Settings";
import { Usage } from "./views/Usage";
import { st } from "./lib/screenTexts";
import { Verification } from "./views/Verification";
import { SignIn } from "./views/SignIn";
import { ReviewerConsole } from "./views/ReviewerConsole";

const BASE = import.meta.env.BASE_URL; // "/console/"

export interface Route {
  view: "inbox" | "newsletters" | "verification" | "settings" | "usage" | "review";
  customerId?: string;
  requestId?: string; // the reviewer view's open request
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split("/").filter(Boolean) : [];
  if (parts[0] === "settings") return { view: "settings" };
  if (parts[0] === "newsletters") return { view: "newsletters" };
  if (parts[0] === "verification") return { view: "verification" };
  if (parts[0] === "usage") return { view: "usage" };
  if (parts[0] === "review") return { view: "review", requestId: parts[1] ? decodeURIComponent(parts[1]) : undefined };
  return { view: "inbox", customerId: parts[0] === "inbox" && parts[1] ? decodeURIComponent(parts[1]) : undefined };
}

export function routePath(route: Route): string {
  if (route.view === "inbox") return `${BASE}inbox${route.customerId ? `/${encodeURIComponent(route.customerId)}` : ""}`;
  if (route.view === "review") return `${BASE}review${route.requestId ? `/${encodeURIComponent(route.requestId)}` : ""}`;
  return `${BASE}${route.view}`;
}

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [failed, setFailed] = useState("");
  const [session, setSession] = useState<Session | null>(storedSession());
  const [route, setRoute] = useState<Route>(parseRoute(location.pathname));

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t("appName");
    loadConfig().then(setConfig, (error) => setFailed(String(error)));
    const onPop = () => setRoute(parseRoute(location.pathname));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const go = (next: Route) => {
    history.pushState(null, "", routePath(next));
    setRoute(next);
  };

  const api = useMemo(() => {
    if (!config || !session) return null;
    let current = session;
    return new Api(
      config,
      async () => {
        if (current.expiresAt - Date.now() > 60_000) return current.idToken;
        const renewed = await refresh(config, current);
        if (renewed) current = renewed;
        return renewed?.idToken ?? null;
      },
      () => {
        signOut();
        setSession(null);
      },
    );
  }, [config, session]);

  if (failed) return <p class="error">{failed}</p>;
  if (!config) return <p class="muted">{t("loading")}</p>;
  if (!session || !api) return <SignIn config={config} signedIn={setSession} />;
  if (session.role === "reviewer") {
    const signedOut = () => {
      signOut();
      setSession(null);
      go({ view: "inbox" }); // the next person starts where their role starts
    };
    return (
      <ReviewerConsole
        config={config}
        session={session}
        requestId={route.view === "review" ? route.requestId : undefined}
        open={(requestId) => go({ view: "review", requestId })}
        signedOut={signedOut}
      />
    );
  }

  const owner = session.role === "owner";
  const tabs: { view: Route["view"]; label: Key | "usage" }[] = [
    { view: "inbox", label: "inbox" },
    { view: "newsletters", label: "newsletters" },
    ...(owner
      ? [
          { view: "verification" as const, label: "verification" as Key },
          { view: "usage" as const, label: "usage" as const },
          { view: "settings" as const, label: "settings" as Key },
        ]
      : []),
  ];
  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t("inbox")}
      </a>
      <header class="topbar">
        <span class="brand">bizline</span>
        <nav aria-label="main">
          {tabs.map((tab) => (
            <a
              key={tab.view}
              href={routePath({ view: tab.view })}
              aria-current={route.view === tab.view ? "page" : undefined}
              onClick={(event) => {
                event.preventDefault();
                go({ view: tab.view });
              }}
            >
              {tab.label === "usage" ? st("usage") : t(tab.label)}
            </a>
          ))}
        </nav>
        <span class="member">
          <span class="email">{session.email}</span>{" "}
          <span class="role">{session.role ? t(`role_${session.role}` as Key) : ""}</span>
        </span>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            signOut();
            setSession(null);
            go({ view: "inbox" }); // the next member starts in the inbox
          }}
        >
          {t("signOut")}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.view === "inbox" && (
          <Inbox
            api={api}
            memberId={session.memberId}
            memberEmail={session.email}
            owner={owner}
            customerId={route.customerId}
            open={(customerId) => go({ view: "inbox", customerId })}
          />
        )}
        {route.view === "newsletters" && <Newsletters api={api} readOnly={!owner} />}
        {route.view === "verification" &&
          (owner ? <Verification api={api} /> : <p class="error">{t("forbidden")}</p>)}
        {route.view === "usage" && (owner ? <Usage api={api} /> : <p class="error">{t("forbidden")}</p>)}
        {route.view === "settings" && (owner ? <Settings api={api} memberId={session.memberId} /> : <p class="error">{t("forbidden")}</p>)}
      </main>
    </div>
  );
}
