"""A business's message templates: submitted to Meta with the business's own token, their state from Meta's webhooks.

Only an approved template may start a conversation (services.template_checks decides what a send may use).
"""

from datetime import datetime

from bizline.adapters import message_templates_store as store
from bizline.adapters import waba_tokens, whatsapp_accounts_store
from bizline.adapters.providers import get_provider
from bizline.clock import utc_now
from bizline.errors import NotFound, UpstreamUnavailable, ValidationFailed
from bizline.models.message_templates import MessageTemplate, TemplateDefinition
from bizline.models.templates import CreateTemplateRequest, Template, TemplateList
from bizline.models.whatsapp_accounts import StoredWhatsAppAccount
from bizline.observability import logger
from bizline.rules import templates as rules
from bizline.rules.providers import ProviderError
from bizline.services.template_checks import template_variables_of


def view(template: MessageTemplate) -> Template:
    """A template as the API shows it, with its variables per component."""
    variables = template_variables_of(template)
    return Template(
        template_id=template.template_id,
        name=template.name,
        language=template.language,
        category=template.category,
        status=template.status,
        reason=template.reason,
        quality=template.quality,
        waba_id=template.waba_id,
        parameter_format=template.parameter_format,
        variables=variables.as_dict() if variables else {},
        components=template.components,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def _problem(error: rules.TemplateProblem) -> ValidationFailed:
    return ValidationFailed(
        error.message, code="invalid_template", details=[{"field": error.field, "message": error.message}]
    )


def get_account(business_id: str, waba_id: str) -> StoredWhatsAppAccount:
    """One of the business's connected accounts; 404 for any other."""
    account = whatsapp_accounts_store.get_account(business_id, waba_id)
    if account is None:
        raise NotFound("No such WhatsApp Business Account.")
    return account


def account_token(account: StoredWhatsAppAccount) -> str:
    """The account's access token; 404 when the account was disconnected meanwhile."""
    token = waba_tokens.access_token(account.secret_name)
    if token is None:
        raise NotFound("No such WhatsApp Business Account.")
    return token


def _account_for(business_id: str, waba_id: str | None) -> StoredWhatsAppAccount:
    if waba_id:
        return get_account(business_id, waba_id)
    accounts = whatsapp_accounts_store.list_accounts(business_id)
    if len(accounts) != 1:
        message = "Connect a WhatsApp Business Account first." if not accounts else "Name the account: waba_id."
        raise ValidationFailed(
            message, code="whatsapp_account_needed", details=[{"field": "waba_id", "message": message}]
        )
    return accounts[0]


def _refused(error: ProviderError) -> Exception:
    logger.info("Graph API refused a template call", extra={"graph_code": error.code, "retryable": error.retryable})
    if error.retryable:
        return UpstreamUnavailable("Meta's Graph API did not answer; try again shortly.")
    return ValidationFailed(
        f"Meta refused the template: {error.message}",
        code="template_refused_by_meta",
        details=[{"field": None, "message": error.message, "type": f"meta:{error.code}"}],
    )


def create_template(business_id: str, request: CreateTemplateRequest, now: datetime | None = None) -> Template:
    """Check the template, submit it to Meta with the account's token and keep it as PENDING (or as Meta answered)."""
    now = now or utc_now()
    components = [component.model_dump(exclude_none=True) for component in request.components]
    try:
        variables = rules.template_variables(components)
        rules.check_examples(components, variables)
    except rules.TemplateProblem as error:
        raise _problem(error) from error
    account = _account_for(business_id, request.waba_id)
    definition = rules.graph_definition(
        request.name, request.language, request.category, components, variables.parameter_format
    )
    try:
        submitted = get_provider().create_template(account.waba_id, definition, account_token(account))
    except ProviderError as error:
        raise _refused(error) from error
    store.add_template(
        business_id,
        TemplateDefinition(
            template_id=submitted.template_id,
            waba_id=account.waba_id,
            name=request.name,
            language=request.language,
            category=submitted.category or request.category.upper(),
            parameter_format=variables.parameter_format,
            components=components,
            status=submitted.status,
        ),
        now,
    )
    logger.info("template submitted", extra={"business_id": business_id, "template_id": submitted.template_id})
    return get_template(business_id, submitted.template_id)


def get_template(business_id: str, template_id: str) -> Template:
    """One of the business's templates; 404 for any other."""
    return view(_stored(business_id, template_id))


def _stored(business_id: str, template_id: str) -> MessageTemplate:
    template = store.get_template(business_id, template_id) if template_id.isdigit() else None
    if template is None:
        raise NotFound("No such template.")
    return template


def list_templates(business_id: str) -> TemplateList:
    """Every template of the business bizline knows of: submitted here, or reported by Meta's webhooks."""
    return TemplateList(items=[view(template) for template in store.list_templates(business_id)])


def delete_template(business_id: str, template_id: str) -> None:
    """Delete the template at Meta, then here; 404 for another business's template."""
    template = _stored(business_id, template_id)
    if template.waba_id and template.name:
        account = get_account(business_id, template.waba_id)
        try:
            get_provider().delete_template(account.waba_id, template.name, template_id, account_token(account))
        except ProviderError as error:
            # Gone at Meta already: forgetting it here is all that is left to do.
            if error.retryable or error.code != 100:
                raise _refused(error) from error
    store.remove_template(business_id, template_id)
