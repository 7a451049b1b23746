"""Who may attach files to a record: one decision, used by the upload service (for the upload page and the fund
API's evidence alike) and by the attachment panel that offers the upload form."""

from __future__ import annotations

from cuntong.core.scoping import is_permitted


def may_attach(user, owner) -> bool:
    """The attachments permission, and ``owner`` inside what ``user`` may see."""
    return user.has_perm("attachments.add_attachment") and is_permitted(user, "view", owner)
