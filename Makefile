PY ?= python3
VENV = .venv
# what the server needs (make run), and that plus the test tools (make test)
SERVER_STAMP = $(VENV)/.installed-server
TEST_STAMP = $(VENV)/.installed-test
CHROMIUM = /usr/bin/chromium

.PHONY: run test lint bench clean

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip

$(SERVER_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@ $(SERVER_STAMP)

run: $(SERVER_STAMP)
	$(VENV)/bin/python -m app

# the browser tests drive Debian's Chromium (Playwright's own download is not used)
$(CHROMIUM):
	apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

test: $(TEST_STAMP) $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/python -m pytest

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile

bench: $(SERVER_STAMP)
	$(VENV)/bin/python bench/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info test-output
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
