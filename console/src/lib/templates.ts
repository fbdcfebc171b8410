// Approved templates: the only messages a business may send outside the customer service window.
// Variables sit in the header and body as {{1}}, {{2}} ... or {{name}}; a send fills each one exactly
// (bizline refuses a send that leaves one out or adds one: rules/templates.py).

export interface MessageTemplate {
  template_id: string;
  name: string | null;
  language: string | null;
  status: string | null;
  parameter_format?: string | null;
  variables: Record<string, string[]>;
  components: Record<string, any>[];
}

export const HOLDERS = ["header", "body"] as const;
const SENDABLE = new Set(["APPROVED", "REINSTATED"]);

export function sendable(templates: MessageTemplate[]): MessageTemplate[] {
  return templates.filter((template) => template.name && template.language && SENDABLE.has(template.status ?? ""));
}

/** Each variable as `<component>.<name>`, in the order a person fills them. */
export function variableKeys(template: MessageTemplate): string[] {
  return HOLDERS.flatMap((holder) => (template.variables[holder] ?? []).map((name) => `${holder}.${name}`));
}

export function textOf(template: MessageTemplate, holder: string): string {
  const component = template.components.find((c) => String(c.type ?? "").toLowerCase() === holder);
  if (!component) return "";
  if (holder === "header" && String(component.format ?? "TEXT").toUpperCase() !== "TEXT") return "";
  return String(component.text ?? "");
}

/** The text the customer will read, the values filled in (an empty one stays `{{name}}`). */
export function preview(template: MessageTemplate, values: Record<string, string>): string {
  return HOLDERS.map((holder) =>
    textOf(template, holder).replace(/\{\{\s*([^{}\s]*)\s*\}\}/g, (whole, name: string) => values[`${holder}.${name}`] || whole),
  )
    .filter(Boolean)
    .join("\n");
}

export function missing(template: MessageTemplate, values: Record<string, string>): string[] {
  return variableKeys(template).filter((key) => !values[key]?.trim());
}

/** The send's components: a parameter per variable, named ones carrying their name. */
export function sendComponents(template: MessageTemplate, values: Record<string, string>): Record<string, any>[] {
  const named = template.parameter_format === "named";
  return HOLDERS.filter((holder) => (template.variables[holder] ?? []).length).map((holder) => ({
    type: holder,
    parameters: (template.variables[holder] ?? []).map((name) => ({
      type: "text",
      text: values[`${holder}.${name}`] ?? "",
      ...(named ? { parameter_name: name } : {}),
    })),
  }));
}
