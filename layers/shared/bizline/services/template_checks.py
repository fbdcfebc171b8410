"""What a send may use: an approved template of the business, its variables filled exactly.

POST /v1/messages and the newsletter dispatcher both ask here; a 422 names the missing and extra variables.
"""

from bizline.adapters import message_templates_store as store
from bizline.errors import ValidationFailed
from bizline.models.message_templates import MessageTemplate
from bizline.rules import templates as rules


def template_variables_of(template: MessageTemplate) -> rules.TemplateVariables | None:
    """The variables of a template bizline knows the definition of; None for one made elsewhere."""
    try:
        return rules.template_variables(template.components) if template.components else None
    except rules.TemplateProblem:
        return None


def approved_template(business_id: str, name: str, language: str, waba_id: str | None) -> MessageTemplate:
    """The approved template of this name and language; 422 when there is none or it is not approved."""
    found = [
        template
        for template in store.list_templates(business_id)
        if template.name == name
        and template.language == language
        and (waba_id is None or template.waba_id in (None, waba_id))
    ]
    if not found:
        raise ValidationFailed(
            f"No template {name!r} in {language!r}: create it with POST /v1/templates.",
            code="template_not_found",
            details=[{"field": "template.name", "message": "no such template"}],
        )
    template = next((t for t in found if rules.sendable(t.status)), found[0])
    if not rules.sendable(template.status):
        raise ValidationFailed(
            f"The template is {template.status or 'not approved'}; only an approved template can be sent.",
            code="template_not_approved",
            details=[{"field": "template.name", "message": f"status {template.status}"}],
        )
    return template


def sendable_template(business_id: str, name: str, language: str) -> MessageTemplate | None:
    """The template of this name and language when it may be sent now (not paused, not disabled); else None."""
    return next(
        (
            template
            for template in store.list_templates(business_id)
            if template.name == name and template.language == language and rules.sendable(template.status)
        ),
        None,
    )


def variables_mismatch(missing: list[str], extra: list[str], field: str = "template.components") -> ValidationFailed:
    """The 422 naming the variables a send leaves out and the ones the template does not have."""
    details = [{"field": field, "message": f"missing {name}"} for name in missing]
    details += [{"field": field, "message": f"not in the template: {name}"} for name in extra]
    return ValidationFailed(
        "The template's variables do not match: "
        + "; ".join(part for part in (_listed("missing", missing), _listed("extra", extra)) if part),
        code="template_variables_mismatch",
        details=details,
    )


def approved_template_for_send(
    business_id: str, name: str, language: str, components: list[dict], waba_id: str | None
) -> MessageTemplate:
    """The approved template a send names, with its variables filled exactly; 422 naming what does not fit."""
    template = approved_template(business_id, name, language, waba_id)
    variables = template_variables_of(template)
    if variables is not None:
        missing, extra = rules.send_mismatch(variables, components)
        if missing or extra:
            raise variables_mismatch(missing, extra)
    return template


def _listed(label: str, names: list[str]) -> str:
    return f"{label} {', '.join(names)}" if names else ""
