// Team members sign in against the team's Cognito user pool (USER_PASSWORD_AUTH over HTTPS, the
// app client has no secret); the console then sends the member's ID token with every API request.
import { cognitoUrl, type ConsoleConfig } from "./config";

// A reviewer is bizline's, not a business's: the pool's reviewers group, the verification queue only.
export type Role = "owner" | "agent" | "reviewer" | null;

export interface Session {
  idToken: string;
  refreshToken?: string;
  expiresAt: number; // ms since epoch
  email: string;
  memberId: string;
  businessId: string;
  role: Role;
}

export interface NewPasswordChallenge {
  challenge: "NEW_PASSWORD_REQUIRED";
  session: string;
  email: string;
}

const STORAGE_KEY = "bizline.console.session";

export class SignInError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  const text = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function roleOf(groups: unknown): Role {
  const list = Array.isArray(groups) ? groups.map(String) : typeof groups === "string" ? groups.split(/[\s,[\]]+/) : [];
  if (list.includes("owner")) return "owner";
  if (list.includes("agent")) return "agent";
  if (list.includes("reviewers")) return "reviewer";
  return null;
}

export function sessionFromTokens(idToken: string, refreshToken?: string): Session {
  const claims = decodeClaims(idToken);
  return {
    idToken,
    refreshToken,
    expiresAt: Number(claims.exp ?? 0) * 1000,
    email: String(claims.email ?? ""),
    memberId: String(claims.sub ?? ""),
    businessId: String(claims["custom:business_id"] ?? ""),
    role: roleOf(claims["cognito:groups"]),
  };
}

async function cognito(config: ConsoleConfig, action: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(cognitoUrl(config), {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, any>;
  if (!response.ok) {
    const code = String(answer.__type ?? "Error").split("#").pop() ?? "Error";
    throw new SignInError(code, String(answer.message ?? answer.Message ?? code));
  }
  return answer;
}

function finish(answer: Record<string, any>, refreshToken?: string): Session {
  const result = answer.AuthenticationResult;
  const session = sessionFromTokens(result.IdToken, result.RefreshToken ?? refreshToken);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

export async function signIn(
  config: ConsoleConfig,
  email: string,
  password: string,
): Promise<Session | NewPasswordChallenge> {
  const answer = await cognito(config, "InitiateAuth", {
    ClientId: config.cognito.clientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    return { challenge: "NEW_PASSWORD_REQUIRED", session: answer.Session, email };
  }
  return finish(answer);
}

/** An invited member's first sign-in: they choose their own password. */
export async function setNewPassword(
  config: ConsoleConfig,
  challenge: NewPasswordChallenge,
  password: string,
): Promise<Session> {
  const answer = await cognito(config, "RespondToAuthChallenge", {
    ClientId: config.cognito.clientId,
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.email, NEW_PASSWORD: password },
  });
  return finish(answer);
}

export async function refresh(config: ConsoleConfig, session: Session): Promise<Session | null> {
  if (!session.refreshToken) return null;
  try {
    const answer = await cognito(config, "InitiateAuth", {
      ClientId: config.cognito.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: session.refreshToken },
    });
    return finish(answer, session.refreshToken);
  } catch {
    return null;
  }
}

export function storedSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null") as Session | null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
