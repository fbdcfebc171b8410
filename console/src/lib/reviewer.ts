// Reviewers call bizline's /admin routes, which AWS IAM guards (SigV4), never with a long-lived key:
// the reviewer's ID token buys short-lived credentials from the Cognito identity pool (GetId, then
// GetCredentialsForIdentity), held in memory only, and each request is signed with them (aws4fetch).
import { AwsV4Signer } from "aws4fetch";
import { ApiError, type ApiErrorBody, type VerificationRequest } from "./api";
import { refresh, type Session } from "./auth";
import { identityUrl, type ConsoleConfig } from "./config";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number; // ms since epoch
}

export interface DocumentLink {
  document_id: string;
  filename: string;
  content_type: string;
  size_bytes?: number | null;
  url: string;
  preview_url: string;
  expires_at: string;
}

export interface ReviewedRequest extends VerificationRequest {
  business_id: string;
  display_name: string;
  country: string;
  registered_address: string;
  website: string;
  contact_email: string;
  size: { employees: number; annual_turnover_eur: number; balance_sheet_total_eur: number };
  updated_at: string;
  claimed_by?: string | null;
  claimed_at?: string | null;
  decided_by?: string | null;
  document_links?: DocumentLink[];
}

export interface AuditEntry {
  at: string;
  actor: string;
  from_state?: string | null;
  to_state: string;
  reason?: string | null;
}

// Credentials this close to their end are renewed before the next request.
export const RENEW_BEFORE_MS = 5 * 60_000;

async function identityCall(config: ConsoleConfig, action: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(identityUrl(config), {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, any>;
  if (!response.ok) {
    const code = String(answer.__type ?? "Error").split("#").pop() ?? "Error";
    throw new ApiError(response.status, code, String(answer.message ?? code));
  }
  return answer;
}

/** Short-lived credentials for the signed-in reviewer: the identity pool maps only the reviewers group to a role. */
export async function reviewerCredentials(config: ConsoleConfig, idToken: string): Promise<AwsCredentials> {
  const logins = { [`cognito-idp.${config.cognito.region}.amazonaws.com/${config.cognito.userPoolId}`]: idToken };
  const { IdentityId } = await identityCall(config, "GetId", {
    IdentityPoolId: config.cognito.identityPoolId,
    Logins: logins,
  });
  const { Credentials } = await identityCall(config, "GetCredentialsForIdentity", { IdentityId, Logins: logins });
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretKey,
    sessionToken: Credentials.SessionToken,
    expiresAt: Number(Credentials.Expiration) * 1000,
  };
}

/** Whether credentials still serve a request now, with time to spare. */
export function stillFresh(credentials: AwsCredentials | null, now: number = Date.now()): credentials is AwsCredentials {
  return credentials !== null && credentials.expiresAt - now > RENEW_BEFORE_MS;
}

/**
 * The URL a request is signed for. Behind CloudFront the console reaches /admin on its own origin and
 * CloudFront hands API Gateway the request with the API's own Host, so the signature names that host.
 */
export function signingUrl(config: ConsoleConfig, path: string, origin: string): string {
  return config.adminSigningHost ? `https://${config.adminSigningHost}${path}` : `${origin}${path}`;
}

/** Sign a request to /admin: the headers to send (Authorization, X-Amz-Date, X-Amz-Security-Token, ...). */
export async function signedHeaders(
  config: ConsoleConfig,
  credentials: AwsCredentials,
  method: string,
  path: string,
  body: string | undefined,
  origin: string,
  datetime?: string,
): Promise<Headers> {
  const signer = new AwsV4Signer({
    method,
    url: signingUrl(config, path, origin),
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: "execute-api",
    region: config.cognito.region,
    datetime,
  });
  return (await signer.sign()).headers;
}

export type CredentialSource = () => Promise<AwsCredentials | null>;

/**
 * The signed-in reviewer's credentials, in this closure only (never stored): bought once, shared by
 * requests made at the same moment, renewed shortly before they end (with a refreshed ID token).
 */
export function credentialSource(config: ConsoleConfig, session: Session): CredentialSource {
  let current = session;
  let credentials: AwsCredentials | null = null;
  let pending: Promise<AwsCredentials | null> | null = null;
  const buy = async (): Promise<AwsCredentials | null> => {
    if (current.expiresAt - Date.now() <= 60_000) {
      const renewed = await refresh(config, current);
      if (!renewed) return null;
      current = renewed;
    }
    credentials = await reviewerCredentials(config, current.idToken);
    return credentials;
  };
  return async () => {
    if (stillFresh(credentials)) return credentials;
    pending ??= buy().finally(() => {
      pending = null;
    });
    return pending;
  };
}

/** The verification review routes, signed with the reviewer's short-lived credentials. */
export class AdminApi {
  constructor(
    private config: ConsoleConfig,
    private credentials: CredentialSource,
    private onUnauthorized: () => void,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const credentials = await this.credentials();
    if (!credentials) {
      this.onUnauthorized();
      throw new ApiError(401, "unauthorized", "Signed out");
    }
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await signedHeaders(this.config, credentials, method, path, text, location.origin);
    const response = await fetch(`${this.config.apiBase}${path}`, { method, headers, body: text });
    const answer = (await response.json().catch(() => ({}))) as ApiErrorBody & T;
    if (!response.ok) {
      const error = answer.error;
      throw new ApiError(
        response.status,
        error?.code ?? "http_" + response.status,
        error?.message ?? answer.message ?? response.statusText,
      );
    }
    return answer as T;
  }

  queue = (state: "submitted" | "in_review" | "approved" | "rejected") =>
    this.request<{ items: ReviewedRequest[]; next_cursor?: string | null }>(
      "GET",
      `/admin/verification-requests?state=${state}&limit=100`,
    );
  details = (requestId: string) =>
    this.request<ReviewedRequest>("GET", `/admin/verification-requests/${encodeURIComponent(requestId)}`);
  claim = (requestId: string) =>
    this.request<ReviewedRequest>("POST", `/admin/verification-requests/${encodeURIComponent(requestId)}/claim`);
  decide = (requestId: string, decision: "approved" | "rejected", reason: string) =>
    this.request<ReviewedRequest>("POST", `/admin/verification-requests/${encodeURIComponent(requestId)}/decision`, {
      decision,
      reason,
    });
  audit = (requestId: string) =>
    this.request<{ request_id: string; entries: AuditEntry[] }>(
      "GET",
      `/admin/verification-requests/${encodeURIComponent(requestId)}/audit`,
    );
}

/** The queue as a reviewer works it: oldest submission first (ties by id, so the order never jumps). */
export function oldestFirst<T extends { submitted_at: string; request_id: string }>(items: T[]): T[] {
  return [...items].sort(
    (a, b) =>
      Date.parse(a.submitted_at) - Date.parse(b.submitted_at) || a.request_id.localeCompare(b.request_id),
  );
}
