"""Webhook mode: the ASGI app that replicas serve (updates, /healthz, /readyz, /metrics) and its server."""
