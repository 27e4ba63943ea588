"""Services decide: they take a session and plain values and know nothing of Telegram."""
