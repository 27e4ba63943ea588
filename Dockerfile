# syntax=docker/dockerfile:1
# The same install steps as the README's `make install`, without the dev extras:
# an editable install of the project, then the catalogs compiled with Babel.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY bot ./bot
COPY migrations ./migrations
COPY templates ./templates
COPY locales ./locales
RUN pip install --no-cache-dir -e . \
    && pybabel compile --statistics -d locales -D messages

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN useradd --create-home --uid 10001 letterbot
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
RUN mkdir -p /app/data && chown letterbot:letterbot /app/data
USER 10001
# `letterbot run` applies pending migrations first, then starts polling (or the webhook server).
CMD ["letterbot", "run"]
