# The two commands: `make run` (install, migrate, load the demo once, serve) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test workers (pytest-xdist): one per core by default; each has its own test database.
WORKERS ?= auto

.PHONY: run test install browser lint typecheck check-deploy clean

run: $(STAMP)
	$(BIN)/bridge migrate --no-input
	$(BIN)/bridge demo
	$(BIN)/bridge serve $(HOST):$(PORT)

test: $(STAMP) browser
	$(BIN)/ruff check bridge bench conftest.py
	$(BIN)/lint-imports
	@# mypy (one core) while the migrated test database is built once (the other core); the workers
	@# then copy it instead of each running every migration (bridge/testing/template_db.py).
	$(BIN)/python -m bridge.testing.template_db & copy=$$!; \
	  $(BIN)/mypy bridge; typed=$$?; wait $$copy || exit 1; exit $$typed
	$(BIN)/pytest -n $(WORKERS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Bridge needs Python 3.11 ($(PYTHON)) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Browser tests drive Debian's Chromium; install it when it is missing (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check bridge bench conftest.py
	$(BIN)/ruff format --check bridge bench conftest.py

# The import layers (pyproject [tool.importlinter]) and the types (pyproject [tool.mypy]).
typecheck: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/mypy bridge

check-deploy: $(STAMP)
	BRIDGE_PROFILE=production SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=bridge.example.org $(BIN)/bridge check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static
