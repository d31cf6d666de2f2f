# The two commands of the README: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app hubapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev migrate seed lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

migrate: setup
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

run: seed
	@echo "http://$(HOST):$(PORT) で起動します（Ctrl+C で停止）"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check hubapp tests bench

bench: setup-dev
	$(BIN)/python bench/hub_pages.py

clean:
	rm -rf $(VENV) .pytest_cache

# Gettext catalogs: re-extract the (Japanese) msgids from hubapp/ and templates/ per babel.cfg,
# merge them into the English catalog without fuzzy guesses, and compile the .mo that is committed.
# The -k list repeats babel.cfg's keywords for Babel < 2.18, which ignores per-section keywords.
# --ignore-dirs: Babel skips folders starting with "_" by default, which would miss templates/_macros.
# New msgids arrive with an empty msgstr: translate them in messages.po, then run this again.
I18N_DIR := hubapp/translations
I18N_POT := $(or $(TMPDIR),/tmp)/hubapp-messages.pot
I18N_KEYWORDS := -k _ -k _l -k gettext -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2

.PHONY: translations
translations: setup
	$(BIN)/pybabel -q extract -F babel.cfg $(I18N_KEYWORDS) --ignore-dirs '.* __pycache__' \
		--no-location --sort-output --omit-header --no-wrap -o $(I18N_POT) .
	$(BIN)/pybabel -q update -i $(I18N_POT) -d $(I18N_DIR) -l en --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date --no-wrap
	$(BIN)/pybabel compile -d $(I18N_DIR) --statistics
	rm -f $(I18N_POT)
