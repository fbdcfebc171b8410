// German and English: the browser's language chooses (German for any de-*, English otherwise).
const en = {
  appName: "bizline console",
  signIn: "Sign in",
  signInTitle: "Sign in to your team",
  email: "E-mail",
  password: "Password",
  newPassword: "Choose a new password",
  newPasswordHint: "First sign-in: choose your own password (12+ characters, upper and lower case, a digit).",
  save: "Save",
  signOut: "Sign out",
  signingIn: "Signing in…",
  signInFailed: "Sign-in failed",
  inbox: "Inbox",
  newsletters: "Newsletters",
  settings: "Settings",
  conversations: "Conversations",
  search: "Search name, number or text",
  noConversations: "No conversations yet. When a customer writes, they appear here.",
  pickConversation: "Pick a conversation.",
  back: "Back",
  windowOpen: "Window open",
  windowLeft: "{time} left to reply",
  windowClosed: "Window closed: only an approved template may be sent",
  reply: "Reply",
  replyPlaceholder: "Write a reply…",
  send: "Send",
  sending: "Sending…",
  you: "you",
  sentBy: "sent by {email}",
  status_accepted: "Queued",
  status_sending: "Sending",
  status_submitted: "Submitted",
  status_sent: "Sent",
  status_delivered: "Delivered",
  status_read: "Read",
  status_failed: "Failed",
  status_received: "Received",
  edited: "edited",
  deleted: "This message was deleted",
  location: "Location",
  openMap: "Open map",
  media: "Media",
  reaction: "Reaction",
  unsupported: "Message type {type}",
  business: "Business",
  callbackUrl: "Callback URL",
  callbackHint: "bizline delivers customer messages and statuses here, signed (Standard Webhooks).",
  saved: "Saved",
  apiKeys: "API keys",
  keyName: "Key name",
  createKey: "Create key",
  newKeyOnce: "Your new key (shown this once):",
  revoke: "Revoke",
  lastUsed: "last used {when}",
  neverUsed: "never used",
  failedDeliveries: "Failed deliveries",
  noFailedDeliveries: "No failed deliveries.",
  retry: "Retry",
  retried: "Queued again",
  templates: "Templates",
  subscribers: "Subscribers",
  readOnly: "Read-only for agents.",
  nothingYet: "Nothing yet.",
  loading: "Loading…",
  role_owner: "owner",
  role_agent: "agent",
  forbidden: "Your role may not do this.",
};

export type Key = keyof typeof en;

const de: Record<Key, string> = {
  appName: "bizline Konsole",
  signIn: "Anmelden",
  signInTitle: "Bei Ihrem Team anmelden",
  email: "E-Mail",
  password: "Passwort",
  newPassword: "Neues Passwort wählen",
  newPasswordHint: "Erste Anmeldung: Wählen Sie Ihr eigenes Passwort (mind. 12 Zeichen, Groß- und Kleinbuchstaben, eine Ziffer).",
  save: "Speichern",
  signOut: "Abmelden",
  signingIn: "Anmeldung läuft…",
  signInFailed: "Anmeldung fehlgeschlagen",
  inbox: "Posteingang",
  newsletters: "Newsletter",
  settings: "Einstellungen",
  conversations: "Unterhaltungen",
  search: "Name, Nummer oder Text suchen",
  noConversations: "Noch keine Unterhaltungen. Sobald Kund:innen schreiben, erscheinen sie hier.",
  pickConversation: "Wählen Sie eine Unterhaltung.",
  back: "Zurück",
  windowOpen: "Fenster offen",
  windowLeft: "noch {time} zum Antworten",
  windowClosed: "Fenster geschlossen: nur eine genehmigte Vorlage kann gesendet werden",
  reply: "Antworten",
  replyPlaceholder: "Antwort schreiben…",
  send: "Senden",
  sending: "Wird gesendet…",
  you: "Sie",
  sentBy: "gesendet von {email}",
  status_accepted: "In Warteschlange",
  status_sending: "Wird gesendet",
  status_submitted: "Übergeben",
  status_sent: "Gesendet",
  status_delivered: "Zugestellt",
  status_read: "Gelesen",
  status_failed: "Fehlgeschlagen",
  status_received: "Empfangen",
  edited: "bearbeitet",
  deleted: "Diese Nachricht wurde gelöscht",
  location: "Standort",
  openMap: "Karte öffnen",
  media: "Medien",
  reaction: "Reaktion",
  unsupported: "Nachrichtentyp {type}",
  business: "Unternehmen",
  callbackUrl: "Callback-URL",
  callbackHint: "bizline stellt Kundennachrichten und Status hierher zu, signiert (Standard Webhooks).",
  saved: "Gespeichert",
  apiKeys: "API-Schlüssel",
  keyName: "Name des Schlüssels",
  createKey: "Schlüssel erstellen",
  newKeyOnce: "Ihr neuer Schlüssel (wird nur einmal gezeigt):",
  revoke: "Widerrufen",
  lastUsed: "zuletzt benutzt {when}",
  neverUsed: "nie benutzt",
  failedDeliveries: "Fehlgeschlagene Zustellungen",
  noFailedDeliveries: "Keine fehlgeschlagenen Zustellungen.",
  retry: "Erneut senden",
  retried: "Erneut eingereiht",
  templates: "Vorlagen",
  subscribers: "Abonnent:innen",
  readOnly: "Für Agent:innen nur lesbar.",
  nothingYet: "Noch nichts.",
  loading: "Wird geladen…",
  role_owner: "Inhaber:in",
  role_agent: "Agent:in",
  forbidden: "Ihre Rolle darf das nicht.",
};

export type Lang = "de" | "en";

export function pickLanguage(languages: readonly string[] | undefined): Lang {
  for (const language of languages ?? []) {
    const base = language.toLowerCase().split("-")[0];
    if (base === "de") return "de";
    if (base === "en") return "en";
  }
  return "en";
}

export const lang: Lang = pickLanguage(typeof navigator === "undefined" ? [] : navigator.languages);

export function translate(language: Lang, key: Key, values: Record<string, string> = {}): string {
  const table = language === "de" ? de : en;
  return table[key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}

export const t = (key: Key, values?: Record<string, string>) => translate(lang, key, values);

export function formatTime(iso: string | null | undefined, language: Lang = lang): string {
  if (!iso) return "";
  const date = new Date(iso);
  const sameDay = new Date().toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(language === "de" ? "de-AT" : "en-GB", {
    ...(sameDay ? {} : { day: "numeric", month: "short" }),
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}
