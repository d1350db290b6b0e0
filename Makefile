PY ?= python3
VENV = .venv
STAMP = $(VENV)/.installed
CHROMIUM = /usr/bin/chromium

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@

run: $(STAMP)
	$(VENV)/bin/python -m app

# the browser tests drive Debian's Chromium (Playwright's own download is not used)
$(CHROMIUM):
	apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

test: $(STAMP) $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile

bench: $(STAMP)
	$(VENV)/bin/python bench/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info test-output
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
