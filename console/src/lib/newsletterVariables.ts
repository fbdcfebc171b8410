// A newsletter fills each template variable per subscriber: from one of their attributes (with a
// fallback for those without it) or with the same text for all. The preview shows what one chosen
// subscriber would read; the API's `variables` name a named template's variables by name
// (`first_name`) and a numbered one's by component and place (`body.1`).
import { preview, variableKeys, type MessageTemplate } from "./templates";

export interface VariableChoice {
  from: "attribute" | "text";
  /** The attribute's name, or the fixed text. */
  value: string;
  /** For an attribute: what a subscriber without it gets (empty: they are skipped). */
  fallback: string;
}

export interface SubscriberLike {
  customer_id: string;
  wa_id?: string | null;
  user_id?: string | null;
  attributes?: Record<string, string>;
}

/** The API's name of a variable the console keys as `<component>.<name>`. */
export function apiVariableName(template: MessageTemplate, key: string): string {
  return template.parameter_format === "named" ? key.split(".").slice(1).join(".") : key;
}

/** A first guess per variable: a named variable fills from the attribute of its name. */
export function initialChoices(template: MessageTemplate): Record<string, VariableChoice> {
  return Object.fromEntries(
    variableKeys(template).map((key) => {
      const named = template.parameter_format === "named";
      return [key, { from: named ? "attribute" : "text", value: named ? apiVariableName(template, key) : "", fallback: "" }];
    }),
  );
}

/** The `variables` of POST /v1/newsletters. */
export function apiVariables(
  template: MessageTemplate,
  choices: Record<string, VariableChoice>,
): Record<string, { attribute: string; default?: string } | { text: string }> {
  return Object.fromEntries(
    variableKeys(template).map((key) => {
      const choice = choices[key] ?? { from: "text", value: "", fallback: "" };
      const source =
        choice.from === "attribute"
          ? { attribute: choice.value.trim(), ...(choice.fallback.trim() ? { default: choice.fallback.trim() } : {}) }
          : { text: choice.value };
      return [apiVariableName(template, key), source];
    }),
  );
}

/** Each variable's value for one subscriber; undefined where they would be skipped (no attribute, no fallback). */
export function valuesFor(
  template: MessageTemplate,
  choices: Record<string, VariableChoice>,
  subscriber: SubscriberLike | null,
): Record<string, string | undefined> {
  return Object.fromEntries(
    variableKeys(template).map((key) => {
      const choice = choices[key];
      if (!choice) return [key, undefined];
      if (choice.from === "text") return [key, choice.value || undefined];
      const own = subscriber?.attributes?.[choice.value.trim()];
      return [key, own || choice.fallback || undefined];
    }),
  );
}

/** What the subscriber would read, and whether they would be skipped for a missing value. */
export function previewFor(
  template: MessageTemplate,
  choices: Record<string, VariableChoice>,
  subscriber: SubscriberLike | null,
): { text: string; skipped: boolean } {
  const values = valuesFor(template, choices, subscriber);
  const filled = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value ?? ""]));
  return { text: preview(template, filled), skipped: Object.values(values).some((value) => value === undefined) };
}

/** Choices the API would refuse: an attribute without a name, an empty text. */
export function incomplete(template: MessageTemplate, choices: Record<string, VariableChoice>): string[] {
  return variableKeys(template).filter((key) => !choices[key]?.value.trim());
}
