"""The bridge between the seed page's channel and one room (``--seed-compat``).

The seed page knows one public channel, ``test_channel``, and one event, ``message_event``
with ``{"msg": TEXT}``. Bridged, every message stored in the seed room (``general`` unless
``--seed-room``) is also triggered there as ``{"msg": "Alice: text", …}``, and a seed post
is stored in that room as a message from a *web author*: an account in a username
namespace (``web:…``) that registration and every login refuse, shown as ``NAME (web)``
(or ``web guest``), so a page user can never pass for a desktop account.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import limits, passwords
from desktopchat.server.relay.models import Message, User
from desktopchat.server.relay.publisher import Event
from desktopchat.server.relay.service import Relay, RelayConfig
from desktopchat.server.relay.store import AlreadyExistsError

SEED_CHANNEL = "test_channel"
SEED_EVENT = "message_event"
#: Web authors' usernames start with this; ``models.USERNAME`` cannot, so nobody registers
#: one or signs in as one (they have no usable password either).
WEB_USERNAME_PREFIX = "web:"
#: Who wrote a seed post that gave no ``name``.
WEB_GUEST = "web guest"
WEB_SUFFIX = " (web)"


def is_web_username(username: str) -> bool:
    """Whether ``username`` belongs to the web authors' reserved namespace."""
    return username.lower().startswith(WEB_USERNAME_PREFIX)


def web_display_name(raw: object) -> str:
    """The display name for a seed post's ``name`` field: ``NAME (web)``, or ``web guest``.

    The name is trimmed; it must be printable text of at most ``limits.MAX_SEED_NAME``
    characters (a 400 otherwise), like any display name.
    """
    if raw is None:
        return WEB_GUEST
    if not isinstance(raw, str):
        raise ApiError(400, "invalid_name", "'name' must be text")
    name = raw.strip()
    if not name:
        return WEB_GUEST
    if len(name) > limits.MAX_SEED_NAME:
        raise ApiError(
            400, "invalid_name", f"'name' is longer than {limits.MAX_SEED_NAME} characters"
        )
    if not name.isprintable():
        raise ApiError(400, "invalid_name", "'name' must be printable text")
    return name + WEB_SUFFIX


def web_username(display_name: str) -> str:
    """The reserved username of the web author shown as ``display_name`` (one per name)."""
    digest = hashlib.sha256(display_name.encode("utf-8")).hexdigest()[:24]
    return WEB_USERNAME_PREFIX + digest


async def web_author(relay: Relay, display_name: str) -> User:
    """The web author shown as ``display_name``, created on its first post."""
    username = web_username(display_name)
    found = await relay.db(relay.store.credentials, username)
    if found is None:
        # Two first posts at once: one creates, the other finds it just below.
        with contextlib.suppress(AlreadyExistsError):
            await relay.db(
                relay.store.create_user, username, passwords.UNUSABLE_PASSWORD, display_name, None
            )
        found = await relay.db(relay.store.credentials, username)
    if found is None:  # pragma: no cover - created or found just above
        raise ApiError(500, "internal_error", "The web author could not be stored")
    return found.user


async def ensure_room(relay: Relay) -> None:
    """Create the seed room if it does not exist yet (``--seed-room`` may name a new one)."""
    name = relay.config.seed_room
    if await relay.db(relay.store.room, name) is None:
        with contextlib.suppress(AlreadyExistsError):
            await relay.db(relay.store.create_room, name, "The web page's room", None)


def seed_payload(event: str, message: Message) -> dict[str, Any]:
    """``message_event`` data for ``message``: the seed's ``msg`` and the parts beside it.

    ``msg`` is ``"NAME: TEXT"`` for a new message (and in history), ``"NAME (edited):
    TEXT"`` for an edit and ``"NAME deleted a message"`` for a delete, since the seed page
    only appends. ``name`` is the author's display name, so ``TEXT`` is ``msg`` after
    ``name + ": "``; the text is not repeated, so the event stays within Pusher's 10 KB.
    """
    name = message.author.display_name
    if event == "message-deleted" or message.deleted:
        msg = f"{name} deleted a message"
    elif event == "message-updated":
        msg = f"{name} (edited): {message.text}"
    else:
        msg = f"{name}: {message.text}"
    return {
        "msg": msg,
        "name": name,
        "web": is_web_username(message.author.username),
        "id": message.id,
        "room": message.room,
        "event": event,
        "edited": message.edited_at is not None,
        "deleted": message.deleted,
        "sent_at": message.to_json()["sent_at"],
    }


def mirrored(config: RelayConfig, event: str, message: Message) -> list[Event]:
    """The seed page's copy of a room event: one event if ``message`` is in the seed room."""
    if not config.seed_compat or message.room != config.seed_room:
        return []
    return [Event(SEED_CHANNEL, SEED_EVENT, seed_payload(event, message))]
