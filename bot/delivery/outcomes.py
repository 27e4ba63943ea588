"""How one outbox message ended, and the statuses a row passes through before that.

A row is "pending" when written, "claimed" once a sender took it into a batch, "sending" from the
moment its send begins, then one of the outcomes below. An outcome is final: nothing is sent again for
a row that has one. A row "claimed" when its sender died was never sent and goes back to pending; one
"sending" may have arrived, and its purpose decides (reminders: uncertain; broadcasts: sent again, and
counted as a possible duplicate).
"""

from __future__ import annotations

import enum

PENDING = "pending"
CLAIMED = "claimed"
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
