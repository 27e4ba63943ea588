"""Everything the bot sends on its own (reminders, later broadcasts): rows in the outbox table, delivered
by one sender at a paced rate, each send's fate recorded as an outcome.

`outcomes` names the fates, `pacer` keeps the rate, `send` sends one message and maps Telegram's
answer, `claims` takes rows for one sender at a time, `sender` renders, sends and records them.
"""
