// Where the console finds its user pool and the API: /console/config.json, written by the platform
// (make run) or the deployment next to the app. Nothing here is secret.
export interface ConsoleConfig {
  apiBase: string;
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
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
