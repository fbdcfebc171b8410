// The console's calls for newsletters, usage and invoices, and the WhatsApp connection: the /team
// twins of the /v1 routes (see the README for their shapes), through the signed-in member's Api.
import type { Api, Page } from "./api";
import type { BatchResult, SubscriberItem } from "./csvImport";
import type { MessageTemplate } from "./templates";

export interface Consent {
  source: string;
  at: string;
  text: string;
}

export interface Subscriber {
  customer_id: string;
  wa_id?: string | null;
  user_id?: string | null;
  status: "subscribed" | "unsubscribed";
  tags: string[];
  attributes: Record<string, string>;
}

export type NewsletterState = "draft" | "scheduled" | "sending" | "sent" | "cancelled" | "failed";

export interface RunStats {
  run_id: string;
  /** `skipped`: a recurring firing that opened no run while the one before still sent (skip_reason). */
  state: NewsletterState | "skipped";
  skip_reason?: string | null;
  /** The number's messaging limit is reached: the rest of the audience is sent once the window frees up. */
  waiting_for_limit_until?: string | null;
  started_at: string;
  finished_at?: string | null;
  audience: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  failed_reasons: Record<string, number>;
  skipped: Record<string, number>;
}

export interface Newsletter {
  newsletter_id: string;
  name: string;
  state: NewsletterState;
  from_phone_number_id: string;
  template: { name: string; language: string };
  audience: { type?: string; tags?: string[] };
  send_at?: string | null;
  schedule?: { cron: string; timezone: string } | null;
  created_at: string;
  updated_at: string;
  runs?: RunStats[] | null;
}

export interface CreateNewsletter {
  name: string;
  from_phone_number_id: string;
  template: { name: string; language: string };
  variables: Record<string, unknown>;
  audience: { type: "all" } | { type: "tags"; tags: string[] };
  send_at?: string;
  timezone?: string;
}

export interface PhoneNumber {
  phone_number_id: string;
  waba_id?: string | null;
  display_phone_number: string;
  verified_name?: string | null;
  created_at: string;
}

export interface WhatsAppAccount {
  waba_id: string;
  connected_at: string;
  token_updated_at: string;
  phone_numbers?: { phone_number_id: string; display_phone_number: string; verified_name: string; quality_rating?: string | null }[] | null;
}

export interface UsageReport {
  business_id: string;
  month: string;
  tier: "free" | "enterprise";
  rate_card: string | null;
  totals: Record<string, number>;
  days: { day: string; counts: Record<string, number> }[];
  allowances: { meter: string; included: number; used: number; remaining: number }[];
  caps: Record<string, number>;
}

export interface Invoice {
  month: string;
  tier: string;
  currency: string;
  total_cents: number;
  closed_at: string;
  lines: { meter: string; quantity: number; amount_cents: number }[];
}

export interface InvoiceFileLink {
  url: string;
  expires_at: string;
  filename: string;
  content_type: string;
}

const id = encodeURIComponent;

export const businessApi = (api: Api) => ({
  templates: () => api.request<Page<MessageTemplate>>("GET", "/v1/templates"),
  subscribers: (cursor?: string) =>
    api.request<Page<Subscriber>>("GET", `/v1/subscribers?limit=100${cursor ? `&cursor=${id(cursor)}` : ""}`),
  subscribeBatch: (consent: Consent, items: SubscriberItem[]) =>
    api.request<{ items: BatchResult[] }>("POST", "/v1/subscribers/batch", { consent, items }),
  newsletters: () => api.request<Page<Newsletter>>("GET", "/v1/newsletters?limit=20"),
  newsletter: (newsletterId: string) => api.request<Newsletter>("GET", `/v1/newsletters/${id(newsletterId)}`),
  createNewsletter: (body: CreateNewsletter) => api.request<Newsletter>("POST", "/v1/newsletters", body),
  deleteNewsletter: (newsletterId: string) => api.request<void>("DELETE", `/v1/newsletters/${id(newsletterId)}`),
  cancelNewsletter: (newsletterId: string) =>
    api.request<Newsletter>("POST", `/v1/newsletters/${id(newsletterId)}/cancel`),
  sendNewsletterNow: (newsletterId: string) =>
    api.request<Newsletter>("POST", `/v1/newsletters/${id(newsletterId)}/send-now`),
  phoneNumbers: () => api.request<Page<PhoneNumber>>("GET", "/v1/phone-numbers"),
  addPhoneNumber: (phoneNumberId: string) =>
    api.request<PhoneNumber>("POST", "/v1/phone-numbers", { phone_number_id: phoneNumberId }),
  whatsAppAccounts: () => api.request<Page<WhatsAppAccount>>("GET", "/v1/whatsapp-accounts"),
  connectWhatsAppAccount: (wabaId: string, accessToken: string) =>
    api.request<WhatsAppAccount>("POST", "/v1/whatsapp-accounts", { waba_id: wabaId, access_token: accessToken }),
  availableNumbers: (wabaId: string) =>
    api.request<WhatsAppAccount>("GET", `/v1/whatsapp-accounts/${id(wabaId)}/phone-numbers`),
  rotateWebhookSecret: () =>
    api.request<{ webhook_secret: string; previous_secret_valid_until?: string | null }>(
      "POST",
      "/v1/businesses/me/webhook-secret",
    ),
  usage: (month: string) => api.request<UsageReport>("GET", `/v1/usage?month=${id(month)}`),
  invoices: () => api.request<Page<Invoice>>("GET", "/v1/invoices"),
  invoiceFile: (month: string, kind: "csv" | "pdf") =>
    api.request<InvoiceFileLink>("GET", `/v1/invoices/${id(month)}/${kind}`),
});

export type BusinessApi = ReturnType<typeof businessApi>;
