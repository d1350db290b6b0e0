PY ?= python3
VENV = .venv
# what the server needs (make run), and that plus the test tools (make test)
SERVER_STAMP = $(VENV)/.installed-server
TEST_STAMP = $(VENV)/.installed-test
CHROMIUM = /usr/bin/chromium
CURL = /usr/bin/curl

.PHONY: run test lint bench clean

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip

$(SERVER_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e '.[test,cluster]'
	touch $@ $(SERVER_STAMP)

run: $(SERVER_STAMP)
	$(VENV)/bin/python -m app

# the browser tests drive Debian's Chromium (Playwright's own download is not used);
# the README's curl example is run too
$(CHROMIUM) $(CURL) &:
	apt-get install -y chromium curl || (apt-get update && apt-get install -y chromium curl)

# the image check builds and runs the Dockerfile with Debian's podman and runc (a
# stand-in base image made once with debootstrap: no outside image registry); it
# skips, saying why, where containers cannot run (not root, tools not installable)
IMAGE_TOOLS = /usr/bin/podman /usr/sbin/runc /usr/sbin/debootstrap
$(IMAGE_TOOLS) &:
	apt-get install -y podman runc debootstrap \
		|| (apt-get update && apt-get install -y podman runc debootstrap) \
		|| echo "image-check: podman, runc and debootstrap cannot be installed here"

.PHONY: image-check
image-check: $(TEST_STAMP) $(IMAGE_TOOLS)
	$(VENV)/bin/python -m pytest -s -rs tests/test_image.py

# pytest runs the image check (tests/test_image.py) with everything else
test: $(TEST_STAMP) $(CHROMIUM) $(CURL) $(IMAGE_TOOLS)
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
