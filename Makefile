# Two commands do everything on a fresh machine: `make serve` and `make test`.
# Both create .venv/ and install the pinned dependencies first, when needed.

PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV   := .venv
BIN    := $(VENV)/bin
PY_OK  := $(VENV)/.installed
JS_OK  := node_modules/.installed
BROWSER_OK := $(VENV)/.chromium

.PHONY: setup serve build test lock clean bench audit

setup: $(PY_OK) $(JS_OK) $(BROWSER_OK)

$(PY_OK): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -c constraints.txt -e .
	touch $@

$(JS_OK): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Chromium for the browser tests (tests/browser/): Playwright cannot download its own
# browser here, so it drives the distribution's. Installed only when /usr/bin/chromium is
# missing; needs root (CI runs as root, without a terminal) or sudo.
$(BROWSER_OK):
	test -x /usr/bin/chromium || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	mkdir -p $(@D) && touch $@

# The notebook page is not executed while serving (a rebuild would take ~4 s longer);
# NOTEBOOKS_EXECUTE=true make serve shows its outputs. build and test always execute it.
serve: setup
	NOTEBOOKS_EXECUTE=$${NOTEBOOKS_EXECUTE:-false} $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# SITE_URL=https://example.org/last-layer/ make build: canonical links and sitemap.xml
# for that address (mkdocs.yml reads SITE_URL); by default what `make serve` serves.
build: setup
	$(BIN)/mkdocs build --strict

# One strict build (notebook executed), then every test; the browser tests use that build.
test: setup
	$(BIN)/mkdocs build --strict --site-dir $(CURDIR)/site
	SITE_DIR=$(CURDIR)/site $(BIN)/python -m pytest

# Re-resolve the pins after editing requirements.txt (needs the registry).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.txt
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable; } > constraints.tmp
	mv constraints.tmp constraints.txt && rm -rf .lock-venv

# The benchmark behind docs/practice/why-fuse.md: a few minutes, not part of `make test`.
# It writes bench/results.json and bench/results.md, from which the page's tables and
# figure are built. PyTorch, needed only for its comparison columns, is installed from
# bench/requirements.txt; if that fails, the benchmark runs without those columns.
bench: $(PY_OK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r bench/requirements.txt -c constraints.txt \
		|| echo "bench: PyTorch could not be installed; running without its columns"
	$(BIN)/python bench/run.py

# Lighthouse (pinned in package-lock.json, mobile preset, simulated throttling) over every
# page, served with gzip under /last-layer/ as a static host serves a project site; the
# table goes to artifacts/lighthouse.md and .json. Pages near the line of 90 get the
# median of three runs. Minutes, and noisy on a busy machine: not part of `make test`.
audit: setup
	$(BIN)/mkdocs build --strict --site-dir $(CURDIR)/site
	nice $(BIN)/python audit/run.py --site $(CURDIR)/site

clean:
	rm -rf site .pytest_cache .hypothesis
