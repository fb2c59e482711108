# Two commands matter: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint i18n catalogs bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

catalogs: $(STAMP)
	$(BIN)/pybabel compile --domain=bot --directory=locales --use-fuzzy --statistics 2>&1 | tail -n 2

run: catalogs
	$(BIN)/python -m bot run

test: catalogs
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/mypy bot
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Extract strings, merge them into the catalogs, and keep the English catalog complete.
i18n: $(STAMP)
	$(BIN)/pybabel extract --mapping-file=babel.cfg --keywords=N_ --keywords=_ --keywords=t --keywords=gettext --keywords=ngettext:1,2 --output-file=locales/messages.pot --project=kurul --sort-by-file bot
	$(BIN)/pybabel update --domain=bot --input-file=locales/messages.pot --output-dir=locales --no-fuzzy-matching
	$(BIN)/python -m bot.i18n fill-identity locales/en/LC_MESSAGES/bot.po
	$(MAKE) catalogs

bench: catalogs
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

# The long fuzz run of issue 8 (the suite runs a bounded one): SEQUENCES=10000 by default.
SEQUENCES ?= 10000
fuzz: catalogs
	$(BIN)/python -m tests.fuzz --sequences $(SEQUENCES)

clean:
	rm -rf $(VENV) data
