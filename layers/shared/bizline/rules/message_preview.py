"""The short line a conversation list shows for a message."""

from typing import Any


def preview(message_type: str, content: dict[str, Any], limit: int = 120) -> str:
    """A short line describing a message, for conversation lists."""
    body = content.get(message_type) if isinstance(content.get(message_type), dict) else {}
    text = {
        "text": body.get("body"),
        "image": body.get("caption") or "[image]",
        "video": body.get("caption") or "[video]",
        "document": body.get("filename") or body.get("caption") or "[document]",
        "audio": "[audio]",
        "sticker": "[sticker]",
        "location": body.get("name") or "[location]",
        "contacts": "[contacts]",
        "reaction": body.get("emoji") or "[reaction]",
        "button": body.get("text") or "[button]",
        "interactive": (body.get("button_reply") or body.get("list_reply") or {}).get("title") or "[interactive]",
        "template": f"[template {body.get('name', '')}]".replace(" ]", "]"),
    }.get(message_type) or f"[{content.get('type', message_type)}]"
    return str(text)[:limit]
