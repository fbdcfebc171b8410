// The public API as a team member calls it: the /team twins of the /v1 routes, with the ID token.
import type { ConsoleConfig } from "./config";
import { sendComponents, type MessageTemplate } from "./templates";

export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: { field?: string; message?: string }[] };
  message?: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Conversation {
  customer_id: string;
  wa_id?: string | null;
  user_id?: string | null;
  name?: string | null;
  last_message_at?: string | null;
  last_message_preview?: string | null;
  last_direction?: string | null;
  service_window_open: boolean;
  service_window_expires_at?: string | null;
  unread?: number;
  last_read_at?: string | null;
  assignee?: { member_id: string; email: string } | null;
}

export interface Message {
  message_id: string;
  customer_id: string;
  direction: "inbound" | "outbound";
  phone_number_id: string;
  type: string;
  content: Record<string, any>;
  status: string;
  status_times: Record<string, string>;
  errors: { code?: number; title?: string; message?: string; error_data?: { details?: string } }[];
  sent_at: string;
  created_at: string;
  edited_at?: string | null;
  edit_history?: Record<string, any>[];
  deleted_at?: string | null;
  sent_by?: { member_id: string; email: string } | null;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface VerificationRequest {
  request_id: string;
  state: "submitted" | "in_review" | "approved" | "rejected" | "withdrawn" | "revoked";
  legal_name: string;
  registration_number: string;
  register_name: string;
  checks: { name: string; passed: boolean; detail: string }[];
  flagged: boolean;
  documents: { document_id: string; filename: string; content_type: string; state: string }[];
  submitted_at: string;
  decided_at?: string | null;
  decision_reason?: string | null;
  revoked_reason?: string | null;
}

export interface Member {
  member_id: string;
  email: string;
  role: "owner" | "agent";
  invited_at: string;
  invited_by?: string | null;
}

export interface ApiKey {
  key_id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

export interface Delivery {
  delivery_id: string;
  event_type?: string;
  status: string;
  attempts?: number;
  last_error?: string | null;
  created_at?: string;
  [key: string]: unknown;
}

export type TokenSource = () => Promise<string | null>;

export class Api {
  constructor(
    private config: ConsoleConfig,
    private token: TokenSource,
    private onUnauthorized: () => void,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = await this.token();
    if (!token) {
      this.onUnauthorized();
      throw new ApiError(401, "unauthorized", "Signed out");
    }
    const response = await fetch(`${this.config.apiBase}/team${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    const answer = (await response.json().catch(() => ({}))) as ApiErrorBody & T;
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      const error = answer.error;
      const detail = error?.details?.map((d) => `${d.field ?? ""} ${d.message ?? ""}`.trim()).join("; ");
      throw new ApiError(
        response.status,
        error?.code ?? "http_" + response.status,
        [error?.message ?? answer.message ?? response.statusText, detail].filter(Boolean).join(" "),
      );
    }
    return answer as T;
  }

  conversations = () => this.request<Page<Conversation>>("GET", "/v1/conversations?limit=100");
  markRead = (customerId: string) =>
    this.request<Conversation>("POST", `/v1/conversations/${encodeURIComponent(customerId)}/read`);
  assign = (customerId: string, memberId: string | null) =>
    this.request<Conversation>("PUT", `/v1/conversations/${encodeURIComponent(customerId)}/assignee`, {
      member_id: memberId,
    });
  messages = (customerId: string) =>
    this.request<Page<Message>>("GET", `/v1/conversations/${encodeURIComponent(customerId)}/messages?limit=100`);
  reply = (customerId: string, phoneNumberId: string, text: string) =>
    this.request<{ message_id: string; status: string }>(
      "POST",
      "/v1/messages",
      { from_phone_number_id: phoneNumberId, to: { customer_id: customerId }, type: "text", text: { body: text } },
      { "idempotency-key": crypto.randomUUID() },
    );
  replyWithTemplate = (customerId: string, phoneNumberId: string, template: MessageTemplate, values: Record<string, string>) =>
    this.request<{ message_id: string; status: string }>(
      "POST",
      "/v1/messages",
      {
        from_phone_number_id: phoneNumberId,
        to: { customer_id: customerId },
        type: "template",
        template: { name: template.name, language: { code: template.language }, components: sendComponents(template, values) },
      },
      { "idempotency-key": crypto.randomUUID() },
    );
  members = () => this.request<Page<Member>>("GET", "/v1/members");
  inviteMember = (email: string, role: "owner" | "agent") =>
    this.request<Member>("POST", "/v1/members", { email, role });
  removeMember = (memberId: string) => this.request<void>("DELETE", `/v1/members/${encodeURIComponent(memberId)}`);
  business = () => this.request<Record<string, any>>("GET", "/v1/businesses/me");
  updateCallback = (callbackUrl: string | null) =>
    this.request<Record<string, any>>("PATCH", "/v1/businesses/me", { callback_url: callbackUrl });
  apiKeys = () => this.request<Page<ApiKey>>("GET", "/v1/api-keys");
  createApiKey = (name: string) => this.request<Record<string, any>>("POST", "/v1/api-keys", { name });
  revokeApiKey = (keyId: string) => this.request<void>("DELETE", `/v1/api-keys/${encodeURIComponent(keyId)}`);
  failedDeliveries = () => this.request<Page<Delivery>>("GET", "/v1/deliveries?status=failed&limit=50");
  retryDelivery = (deliveryId: string) =>
    this.request<Delivery>("POST", `/v1/deliveries/${encodeURIComponent(deliveryId)}/retry`);
  verificationRequests = () => this.request<Page<VerificationRequest>>("GET", "/v1/verification-requests");
  submitVerification = (body: Record<string, unknown>) =>
    this.request<VerificationRequest>("POST", "/v1/verification-requests", body);
  withdrawVerification = (requestId: string) =>
    this.request<VerificationRequest>("POST", `/v1/verification-requests/${encodeURIComponent(requestId)}/withdraw`);
  requestUpload = (requestId: string, filename: string, contentType: string) =>
    this.request<{ document_id: string; upload: { url: string; fields: Record<string, string> }; max_bytes: number }>(
      "POST",
      `/v1/verification-requests/${encodeURIComponent(requestId)}/documents`,
      { filename, content_type: contentType },
    );
  attachDocument = (requestId: string, documentId: string) =>
    this.request<VerificationRequest>(
      "POST",
      `/v1/verification-requests/${encodeURIComponent(requestId)}/documents/${encodeURIComponent(documentId)}/attach`,
    );

  /** A document goes straight to S3 with the presigned form (the file last), never through the API. */
  async uploadDocument(requestId: string, file: File): Promise<VerificationRequest> {
    const form = await this.requestUpload(requestId, file.name, file.type);
    const body = new FormData();
    for (const [name, value] of Object.entries(form.upload.fields)) body.append(name, value);
    body.append("file", file);
    const uploaded = await fetch(form.upload.url, { method: "POST", body });
    if (!uploaded.ok) throw new ApiError(uploaded.status, "upload_failed", `The upload was refused (${uploaded.status}).`);
    return this.attachDocument(requestId, form.document_id);
  }

  templates = () => this.request<Page<MessageTemplate>>("GET", "/v1/templates");
  subscribers = () => this.request<Page<Record<string, any>>>("GET", "/v1/subscribers");
}
