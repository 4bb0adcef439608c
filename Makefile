# chatcart — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium

.PHONY: screenshots run test lint unit bench rasa install install-dev test-deps browser compose assets format clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chatcart needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[embedded]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[embedded,dev]'
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

# Front-end libraries for the admin (htmx, ECharts) come from the npm registry, pinned by the lock file.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.package-lock.json

## run: install, start the embedded database, load the demo store, serve on 127.0.0.1
run: install assets
	$(BIN)/chatcart serve --demo

## test: lint + the whole suite (installs everything the tests need first)
test: install-dev assets test-deps lint
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## test-deps: Debian chromium for the browser tests, the Rasa virtualenv for the adapter test
test-deps: browser compose rasa

# The docker CLI here has no compose plugin; Debian's docker-compose validates docker-compose.yml.
compose:
	@if command -v docker >/dev/null && ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; fi

browser:
	@test -x $(CHROMIUM) || { echo "installing Debian chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -d /usr/share/fonts/opentype/noto || { echo "installing CJK fonts for screenshots"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }
	@test -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf || { echo "installing emoji font for screenshots"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null; }

## rasa: separate Python 3.10 virtualenv with Rasa 3.6 (cached outside the checkout), trained on nlu/data
rasa: install
	bash rasa/build.sh

## screenshots: the browser walks, saving their screens into docs/screenshots for the README
screenshots: install-dev assets browser
	CHATCART_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q tests/conversations/test_webchat_quality.py tests/admin_web/test_console_browser.py

## bench: benchmarks; results go to docs/benchmarks.md
bench: install-dev
	$(BIN)/python -m benchmarks --output docs/benchmarks.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
