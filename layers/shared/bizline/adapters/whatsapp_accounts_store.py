"""Persistence of connected WhatsApp Business Accounts; their tokens live in Secrets Manager (waba_tokens)."""

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if, update_if
from bizline.adapters.tables import WhatsAppAccountRecord
from bizline.clock import from_iso, to_iso
from bizline.errors import Conflict, NotFound
from bizline.models.whatsapp_accounts import StoredWhatsAppAccount


def _from_record(record: WhatsAppAccountRecord) -> StoredWhatsAppAccount:
    return StoredWhatsAppAccount(
        business_id=record.business_id,
        waba_id=record.waba_id,
        secret_name=record.secret_name,
        connected_at=from_iso(record.connected_at),
        token_updated_at=from_iso(record.token_updated_at),
    )


def add_account(account: StoredWhatsAppAccount) -> None:
    """Record a connected account; Conflict when the business connected it already."""
    record = WhatsAppAccountRecord(
        business_id=account.business_id,
        waba_id=account.waba_id,
        secret_name=account.secret_name,
        connected_at=to_iso(account.connected_at),
        token_updated_at=to_iso(account.token_updated_at),
    )
    if not save_if(record, WhatsAppAccountRecord.waba_id.does_not_exist()):
        raise Conflict("This WhatsApp Business Account is already connected.", code="whatsapp_account_connected")


def get_account(business_id: str, waba_id: str) -> StoredWhatsAppAccount | None:
    """One of the business's accounts; None when it has not connected it."""
    try:
        return _from_record(WhatsAppAccountRecord.get(business_id, waba_id, consistent_read=True))
    except DoesNotExist:
        return None


def list_accounts(business_id: str) -> list[StoredWhatsAppAccount]:
    """Every account the business connected."""
    return [_from_record(record) for record in WhatsAppAccountRecord.query(business_id, consistent_read=True)]


def businesses_connected_to(waba_id: str) -> list[str]:
    """The businesses that connected this account (each proved a token that sees it), in id order."""
    return sorted({record.business_id for record in WhatsAppAccountRecord.by_waba.query(waba_id)})


def mark_token_rotated(account: StoredWhatsAppAccount) -> None:
    """Record when the account's token was last replaced; NotFound when it was disconnected meanwhile."""
    record = WhatsAppAccountRecord(business_id=account.business_id, waba_id=account.waba_id)
    actions = [WhatsAppAccountRecord.token_updated_at.set(to_iso(account.token_updated_at))]
    if not update_if(record, actions, WhatsAppAccountRecord.waba_id.exists()):
        raise NotFound("No such WhatsApp Business Account.")


def remove_account(business_id: str, waba_id: str) -> None:
    """Forget a connected account; NotFound when the business has no such account."""
    if not delete_if(
        WhatsAppAccountRecord(business_id=business_id, waba_id=waba_id), WhatsAppAccountRecord.waba_id.exists()
    ):
        raise NotFound("No such WhatsApp Business Account.")
