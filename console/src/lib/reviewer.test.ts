import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConsoleConfig } from "./config";
import { oldestFirst, reviewerCredentials, signedHeaders, signingUrl, stillFresh, RENEW_BEFORE_MS } from "./reviewer";

const LOCAL: ConsoleConfig = {
  apiBase: "",
  cognito: {
    endpoint: "http://127.0.0.1:5000",
    region: "eu-central-1",
    userPoolId: "eu-central-1_TeamUserPool",
    clientId: "client",
    identityPoolId: "eu-central-1:pool",
    identityEndpoint: "/local/cognito-identity",
  },
  adminSigningHost: "",
};
const IN_AWS: ConsoleConfig = { ...LOCAL, adminSigningHost: "abc123.execute-api.eu-central-1.amazonaws.com" };
const CREDENTIALS = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "SESSION-TOKEN",
  expiresAt: Date.parse("2026-12-07T11:00:00Z"),
};

describe("the reviewer's signed requests", () => {
  it("are signed for the API's own host behind CloudFront, and for the page's host locally", () => {
    expect(signingUrl(IN_AWS, "/admin/verification-requests", "https://d1.cloudfront.net")).toBe(
      "https://abc123.execute-api.eu-central-1.amazonaws.com/admin/verification-requests",
    );
    expect(signingUrl(LOCAL, "/admin/verification-requests", "http://127.0.0.1:3000")).toBe(
      "http://127.0.0.1:3000/admin/verification-requests",
    );
  });

  it("carry the signature botocore makes for the same request, with the session token", async () => {
    // The expected signatures: botocore's SigV4Auth for execute-api in eu-central-1, same credentials and time.
    const body = '{"decision":"approved","reason":"ok"}';
    const path = "/admin/verification-requests/vrq_1/decision";
    const post = await signedHeaders(IN_AWS, CREDENTIALS, "POST", path, body, "https://d1.cloudfront.net", "20261207T100000Z");
    expect(post.get("x-amz-date")).toBe("20261207T100000Z");
    expect(post.get("x-amz-security-token")).toBe("SESSION-TOKEN");
    expect(post.get("content-type")).toBe("application/json");
    expect(post.get("authorization")).toBe(
      "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261207/eu-central-1/execute-api/aws4_request, " +
        "SignedHeaders=host;x-amz-date;x-amz-security-token, " +
        "Signature=5bd4f3110562570cfeab959361ebe677538b2b7328ff7afe48a270dd90679464",
    );
    const query = "/admin/verification-requests?state=submitted&limit=100";
    const get = await signedHeaders(IN_AWS, CREDENTIALS, "GET", query, undefined, "https://d1.cloudfront.net", "20261207T100000Z");
    expect(get.get("authorization")).toContain(
      "Signature=3250e2bfcc07e2345062e3f2d057ce0070539575cadd216cca0be6b31689ea3f",
    );
  });
});

describe("the reviewer's credentials", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("come from the identity pool for the reviewer's ID token, in two calls", async () => {
    const calls: { target: string; body: any }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        const target = String((init.headers as Record<string, string>)["x-amz-target"]);
        calls.push({ target, body: JSON.parse(String(init.body)) });
        expect(url).toBe("/local/cognito-identity");
        const answer = target.endsWith("GetId")
          ? { IdentityId: "eu-central-1:me" }
          : { IdentityId: "eu-central-1:me", Credentials: { AccessKeyId: "ASIA1", SecretKey: "s", SessionToken: "t", Expiration: 1796000000 } };
        return new Response(JSON.stringify(answer), { status: 200 });
      }),
    );
    const credentials = await reviewerCredentials(LOCAL, "id-token");
    const logins = { "cognito-idp.eu-central-1.amazonaws.com/eu-central-1_TeamUserPool": "id-token" };
    expect(calls).toEqual([
      { target: "AWSCognitoIdentityService.GetId", body: { IdentityPoolId: "eu-central-1:pool", Logins: logins } },
      { target: "AWSCognitoIdentityService.GetCredentialsForIdentity", body: { IdentityId: "eu-central-1:me", Logins: logins } },
    ]);
    expect(credentials).toEqual({ accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t", expiresAt: 1796000000000 });
  });

  it("are refused for a member no role maps to", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ __type: "NotAuthorizedException", message: "denied" }), { status: 400 })),
    );
    await expect(reviewerCredentials(LOCAL, "owner-token")).rejects.toMatchObject({ code: "NotAuthorizedException" });
  });

  it("are renewed before they run out", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    expect(stillFresh(null, now)).toBe(false);
    expect(stillFresh({ ...CREDENTIALS, expiresAt: now + RENEW_BEFORE_MS + 1000 }, now)).toBe(true);
    expect(stillFresh({ ...CREDENTIALS, expiresAt: now + RENEW_BEFORE_MS - 1000 }, now)).toBe(false);
  });
});

describe("the queue", () => {
  it("lists the oldest submission first, ties by request id", () => {
    const items = [
      { request_id: "vrq_c", submitted_at: "2026-12-07T10:00:00+00:00" },
      { request_id: "vrq_b", submitted_at: "2026-12-06T09:00:00+01:00" },
      { request_id: "vrq_a", submitted_at: "2026-12-07T10:00:00Z" },
      { request_id: "vrq_d", submitted_at: "2026-12-06T08:30:00Z" },
    ];
    expect(oldestFirst(items).map((item) => item.request_id)).toEqual(["vrq_b", "vrq_d", "vrq_a", "vrq_c"]);
  });
});
