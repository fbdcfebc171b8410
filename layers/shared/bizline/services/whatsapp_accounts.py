"""A business's WhatsApp Business Accounts: connected with its own token, confirmed by Meta, revocable.

The token is what Meta's Embedded Signup hands the business: bizline checks it can see the
account (its phone numbers), subscribes the app to the account's webhooks, keeps the token
encrypted in Secrets Manager and speaks for the business with it alone.
"""

from contextlib import suppress
from dataclasses import replace
from datetime import datetime

from bizline.adapters import phone_numbers_store, waba_tokens
from bizline.adapters import whatsapp_accounts_store as store
from bizline.adapters.providers import get_provider
from bizline.clock import utc_now
from bizline.errors import Conflict, NotFound, UpstreamUnavailable, ValidationFailed
from bizline.models.whatsapp_accounts import (
    AvailablePhoneNumber,
    ConnectWhatsAppAccountRequest,
    MetaPhoneNumber,
    RotateAccessTokenRequest,
    StoredWhatsAppAccount,
    WhatsAppAccount,
    WhatsAppAccountList,
)
from bizline.observability import logger
from bizline.rules.providers import ProviderError
from bizline.services import public_badges


def _refused(error: ProviderError) -> Exception:
    """Meta's refusal as the business's error: a token that cannot see the account is a 422, Meta busy a 503."""
    logger.info("Graph API refused an account call", extra={"graph_code": error.code, "retryable": error.retryable})
    if error.retryable:
        return UpstreamUnavailable("Meta's Graph API did not answer; try again shortly.")
    return ValidationFailed(
        "Meta did not confirm this WhatsApp Business Account with this access token.",
        code="whatsapp_account_not_confirmed",
        details=[{"field": "access_token", "message": "cannot see this WhatsApp Business Account", "type": "meta"}],
    )


def _confirmed_numbers(waba_id: str, access_token: str) -> list[MetaPhoneNumber]:
    try:
        return get_provider().phone_numbers(waba_id, access_token)
    except ProviderError as error:
        raise _refused(error) from error


def _view(account: StoredWhatsAppAccount, numbers: list[MetaPhoneNumber] | None = None) -> WhatsAppAccount:
    listed = (
        None if numbers is None else [AvailablePhoneNumber.model_validate(n, from_attributes=True) for n in numbers]
    )
    return WhatsAppAccount(
        waba_id=account.waba_id,
        connected_at=account.connected_at,
        token_updated_at=account.token_updated_at,
        phone_numbers=listed,
    )


def connect(
    business_id: str, request: ConnectWhatsAppAccountRequest, now: datetime | None = None
) -> tuple[WhatsAppAccount, bool]:
    """Confirm the token with Meta, subscribe to the account's webhooks, keep the token; 422 when Meta refuses.

    Connecting an account the business connected before (Embedded Signup run again) confirms it
    anew and replaces its token; the second value tells whether the account is new.
    """
    now = now or utc_now()
    token = request.access_token.get_secret_value()
    numbers = _confirmed_numbers(request.waba_id, token)
    try:
        get_provider().subscribe(request.waba_id, token)
    except ProviderError as error:
        raise _refused(error) from error
    existing = store.get_account(business_id, request.waba_id)
    if existing is not None:
        waba_tokens.put_access_token(existing.secret_name, token)
        rotated = replace(existing, token_updated_at=now)
        store.mark_token_rotated(rotated)
        return _view(rotated, numbers), False
    account = StoredWhatsAppAccount(
        business_id=business_id,
        waba_id=request.waba_id,
        secret_name=waba_tokens.secret_name(business_id, request.waba_id),
        connected_at=now,
        token_updated_at=now,
    )
    waba_tokens.put_access_token(account.secret_name, token)
    try:
        store.add_account(account)
    except Conflict:
        return _view(account, numbers), False  # a concurrent connect of the same account won
    return _view(account, numbers), True


def list_accounts(business_id: str) -> WhatsAppAccountList:
    """The business's connected accounts (tokens are never shown)."""
    return WhatsAppAccountList(items=[_view(account) for account in store.list_accounts(business_id)])


def get_account(business_id: str, waba_id: str) -> StoredWhatsAppAccount:
    """One of the business's accounts; 404 for any other."""
    account = store.get_account(business_id, waba_id)
    if account is None:
        raise NotFound("No such WhatsApp Business Account.")
    return account


def available_numbers(business_id: str, waba_id: str) -> WhatsAppAccount:
    """The account's numbers as Meta reports them now, asked with the business's token."""
    account = get_account(business_id, waba_id)
    return _view(account, _confirmed_numbers(waba_id, account_token(account)))


def account_token(account: StoredWhatsAppAccount) -> str:
    """The account's access token; 404 when the secret is gone (disconnected meanwhile)."""
    token = waba_tokens.access_token(account.secret_name)
    if token is None:
        raise NotFound("No such WhatsApp Business Account.")
    return token


def rotate_token(
    business_id: str, waba_id: str, request: RotateAccessTokenRequest, now: datetime | None = None
) -> WhatsAppAccount:
    """Replace the account's token with one Meta confirms; the old one is no longer used."""
    now = now or utc_now()
    account = get_account(business_id, waba_id)
    token = request.access_token.get_secret_value()
    numbers = _confirmed_numbers(waba_id, token)
    waba_tokens.put_access_token(account.secret_name, token)
    rotated = replace(account, token_updated_at=now)
    store.mark_token_rotated(rotated)
    return _view(rotated, numbers)


def disconnect(business_id: str, waba_id: str) -> None:
    """Disconnect an account: its numbers, their public badges and its token go; 404 for any other account."""
    account = get_account(business_id, waba_id)
    for number in phone_numbers_store.list_phone_numbers(business_id):
        if number.waba_id == waba_id:
            public_badges.hide_badge(number)
            with suppress(NotFound):  # removed meanwhile
                phone_numbers_store.remove_phone_number(business_id, number.phone_number_id)
    waba_tokens.delete_access_token(account.secret_name)
    store.remove_account(business_id, waba_id)
