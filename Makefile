# Two commands for a newcomer: `make demo` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080

.PHONY: install lock catalogs extract demo run test test-postgres lint bench bench-fairness bench-latency bench-reminders bench-delivery bench-broadcast bench-stats bench-admin-import bench-webhook clean

# The versions CI tested: every package pinned, with hashes, in requirements-dev.lock; then the project
# itself on top (editable, no dependencies of its own to resolve). `pip check` fails if pyproject.toml
# asks for something the lock lacks: then run `make lock`.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

install: $(STAMP) catalogs

# After changing dependencies in pyproject.toml: pin them again, exact versions with hashes, in
# requirements-dev.lock (make install) and requirements.lock (the Docker image), with pip-tools in a
# throwaway venv. Pins already there stay where they satisfy pyproject.toml; to move every package to
# the newest allowed: make lock LOCK_UPGRADE=--upgrade. Takes a few minutes (it hashes every file).
LOCK_TOOLS := $(or $(TMPDIR),/tmp)/letterbot-lock-tools
LOCK_FLAGS = --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_UPGRADE)
lock:
	rm -rf $(LOCK_TOOLS)
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install --quiet pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND='make lock' $(LOCK_TOOLS)/bin/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND='make lock' $(LOCK_TOOLS)/bin/pip-compile $(LOCK_FLAGS) --constraint requirements-dev.lock -o requirements.lock pyproject.toml
	rm -rf $(LOCK_TOOLS)

# Compiled catalogs (.mo) are built, never committed or edited by hand.
catalogs: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages

# After changing a text: extract the template catalog and merge it into be, ru and en.
extract: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -o locales/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i locales/messages.pot -d locales -D messages

# The sandbox: emulated Telegram, the bot, demo data and a chat page at http://127.0.0.1:8080
# (another port: make demo PORT=8090)
demo: install
	$(BIN)/letterbot sandbox --port $(PORT)

# The real bot (needs TELEGRAM_BOT_TOKEN).
run: install
	$(BIN)/letterbot run

test: install
	$(BIN)/pytest -q

# The same tests with PostgreSQL required (CI): they fail instead of skipping without it.
test-postgres: install
	LETTERBOT_REQUIRE_POSTGRES=1 $(BIN)/pytest -q -m postgres

lint: install
	$(BIN)/ruff check bot tests benchmarks migrations
	$(BIN)/ruff format --check bot tests benchmarks migrations
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

# Benchmarks print their figures; the README quotes them.
bench: bench-fairness bench-latency bench-reminders bench-delivery bench-broadcast bench-stats bench-admin-import bench-webhook

bench-fairness: install
	$(BIN)/python -m benchmarks.fairness

bench-latency: install
	$(BIN)/python -m benchmarks.latency

bench-webhook: install
	$(BIN)/python -m benchmarks.webhook

bench-reminders: install
	$(BIN)/python -m benchmarks.reminders
	$(BIN)/python -m benchmarks.reminders --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

bench-delivery: install
	$(BIN)/python -m benchmarks.delivery

# A broadcast: 3 minutes at 30 a second (free), 3 minutes at 1,000 a second (paid), and memory with
# 100,000 recipients queued.
bench-broadcast: install
	$(BIN)/python -m benchmarks.broadcast --recipients 5400 --rate 30 --seconds 180
	$(BIN)/python -m benchmarks.broadcast --recipients 180000 --rate 1000 --paid --seconds 180
	$(BIN)/python -m benchmarks.broadcast --recipients 100000 --rate 25 --seconds 60

# /stats with its chart over a million letter rows, on SQLite and PostgreSQL.
bench-stats: install
	$(BIN)/python -m benchmarks.stats
	$(BIN)/python -m benchmarks.stats --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

# /import of a 1,500-person Viasna pair sent as documents: the dry run and Apply, on SQLite and PostgreSQL.
bench-admin-import: install
	$(BIN)/python -m benchmarks.admin_import

clean:
	rm -rf $(VENV) data
	find locales -name '*.mo' -delete
