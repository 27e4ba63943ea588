# Two commands for a newcomer: `make demo` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080

.PHONY: install catalogs extract demo run test test-postgres lint bench bench-fairness bench-latency bench-reminders bench-delivery bench-broadcast clean

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
bench: bench-fairness bench-latency bench-reminders bench-delivery bench-broadcast

bench-fairness: install
	$(BIN)/python -m benchmarks.fairness

bench-latency: install
	$(BIN)/python -m benchmarks.latency

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

clean:
	rm -rf $(VENV) data
	find locales -name '*.mo' -delete
