// Where the console finds its user pool and the API: /console/config.json, written by the platform
// (make run) or the deployment next to the app. Nothing here is secret.
export interface ConsoleConfig {
  apiBase: string;
  cognito: {
    endpoint: string;
    region: string;
    userPoolId: string;
    clientId: string;
    // Reviewers trade their ID token for short-lived AWS credentials here ("" is the region's endpoint).
    identityPoolId?: string;
    identityEndpoint?: string;
  };
  // The host reviewers sign their /admin calls for: the API's own behind CloudFront, "" for this page's.
  adminSigningHost?: string;
}

let loaded: Promise<ConsoleConfig> | null = null;

export function loadConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" }).then((response) => {
    if (!response.ok) throw new Error(`config.json: ${response.status}`);
    return response.json() as Promise<ConsoleConfig>;
  });
  return loaded;
}

/** Cognito's endpoint for a config: the embedded AWS locally, the region's endpoint in AWS. */
export function cognitoUrl(config: ConsoleConfig): string {
  return config.cognito.endpoint || `https://cognito-idp.${config.cognito.region}.amazonaws.com/`;
}

/** Cognito's identity endpoint: the local platform's, or the region's in AWS. */
export function identityUrl(config: ConsoleConfig): string {
  return config.cognito.identityEndpoint || `https://cognito-identity.${config.cognito.region}.amazonaws.com/`;
}
