# Two commands for a newcomer: `make demo` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080

.PHONY: install catalogs extract demo run test test-postgres lint bench bench-fairness bench-latency bench-reminders bench-delivery clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) catalogs

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

# Benchmarks print their figures; the README quotes them.
bench: bench-fairness bench-latency bench-reminders bench-delivery

bench-fairness: install
	$(BIN)/python -m benchmarks.fairness

bench-latency: install
	$(BIN)/python -m benchmarks.latency

bench-reminders: install
	$(BIN)/python -m benchmarks.reminders
	$(BIN)/python -m benchmarks.reminders --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

bench-delivery: install
	$(BIN)/python -m benchmarks.delivery

clean:
	rm -rf $(VENV) data
	find locales -name '*.mo' -delete
