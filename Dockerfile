# syntax=docker/dockerfile:1
# The bot's image: the locked dependencies (requirements.lock, the versions CI tested) in a venv built
# in one stage, copied with the code and the compiled catalogs into a clean one; no compiler, no pip
# cache, no build backend in what runs; a non-root user; a health check against /healthz.
#
# Base image: python:3.11-slim-bookworm pinned by the digest of its multi-platform index, so a rebuild
# gets the same Python and Debian until someone moves it on purpose. Digest as published by the Docker
# Official Images' own record (github.com/docker-library/repo-info, repos/python/remote/
# 3.11-slim-bookworm.md: Python 3.11.16, built 2026-08-25). To update (security fixes land in new
# builds of the same tag): `docker buildx imagetools inspect python:3.11-slim-bookworm`, copy the
# "Digest:" line into both FROM lines, rebuild, run the tests.

FROM python:3.11-slim-bookworm@sha256:0bee7276f83efd4a1ee05bbbf4281d95ed28e079220a9457f25a93e3f1e3c31b AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /app
RUN python -m venv /opt/venv
# Dependencies first, in a layer of their own: a code change does not reinstall them. Every file is
# checked against the hashes in the lock.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY bot ./bot
COPY migrations ./migrations
COPY templates ./templates
COPY locales ./locales
# Editable, as `make install` does: the code finds templates/, locales/ and migrations/ beside bot/.
RUN pip install --no-deps -e . \
    && pybabel compile --statistics -d locales -D messages

FROM python:3.11-slim-bookworm@sha256:0bee7276f83efd4a1ee05bbbf4281d95ed28e079220a9457f25a93e3f1e3c31b
# MPLCONFIGDIR: matplotlib's cache, since the user's home is not writable.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BOT_WEBHOOK_LISTEN=0.0.0.0:8443 \
    MPLCONFIGDIR=/tmp/matplotlib
# libpq: psycopg (procrastinate's driver) loads it at import. Debian's, current at each build (a
# version pin would break the build once bookworm's security archive moves on).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --no-log-init --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin letterbot
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# data/ holds the SQLite file when DATABASE_URL is left at its default (one container, polling).
RUN mkdir /app/data && chown letterbot:letterbot /app/data
USER 10001:10001
EXPOSE 8443
# Webhook mode (BOT_WEBHOOK_URL set): the replica's /healthz on BOT_WEBHOOK_LISTEN's port must answer
# 200. Polling mode serves no HTTP, nor does `letterbot worker` (its container sets LETTERBOT_ROLE=worker,
# as the same .env may set BOT_WEBHOOK_URL), so there the check only says the container runs. Python,
# because the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; p = os.environ.get('BOT_WEBHOOK_LISTEN', '0.0.0.0:8443').rpartition(':')[2]; os.environ.get('LETTERBOT_ROLE') != 'worker' and os.environ.get('BOT_WEBHOOK_URL') and r.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4)"]
# `letterbot run` applies pending migrations (under a lock, so replicas take turns), then serves
# webhooks when BOT_WEBHOOK_URL is set, or polls.
CMD ["letterbot", "run"]
