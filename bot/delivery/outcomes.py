"""How one outbox message ended, and the statuses a row passes through before that.

A row is "pending" when written, "sending" once a sender claimed it, then one of the outcomes below.
An outcome is final: nothing is sent again for a row that has one.
"""

from __future__ import annotations

import enum

PENDING = "pending"
SENDING = "sending"


class Outcome(enum.StrEnum):
    SENT = "sent"
    # The user blocked the bot or is gone (403, or 400 "chat not found"/"user is deactivated"): the
    # supporter is marked inactive and nothing more is sent to them until they write again.
    BLOCKED = "blocked"
    # Telegram refused the message itself (another 400), or it never reached Telegram after a few tries.
    FAILED = "failed"
    # The request may have reached Telegram but no answer came (a read timeout, a crash mid-send): it
    # may have arrived, and a second copy could not be taken back, so it is never sent again.
    UNCERTAIN = "uncertain"
    # The renderer found nothing left to say (e.g. every reminder in a digest expired meanwhile).
    DROPPED = "dropped"
