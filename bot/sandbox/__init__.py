"""The emulated Telegram: a Bot API server on loopback for end-to-end tests and the sandbox."""
