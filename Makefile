# Two commands do everything on a fresh machine: `make serve` and `make test`.
# Both create .venv/ and install the pinned dependencies first, when needed.

PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV   := .venv
BIN    := $(VENV)/bin
PY_OK  := $(VENV)/.installed
JS_OK  := node_modules/.installed
BROWSER_OK := $(VENV)/.chromium
SITE   := $(CURDIR)/site
# Two pytest workers: this project's machines have two cores.
WORKERS ?= 2
# The tests check the site as built for a project site on another host, served under
# its sub-path (tests/browser/sitecheck.py: TESTED_SITE_URL).
TEST_SITE_URL := https://example.org/last-layer/
PYTEST := $(BIN)/python -m pytest

.PHONY: setup serve build test check lock clean bench audit

setup: $(PY_OK) $(JS_OK) $(BROWSER_OK)

# -qq: pip's warnings about this machine's own package mirrors are noise; errors still show.
$(PY_OK): requirements.txt constraints.txt pyproject.toml
	@echo "setup: Python packages into $(VENV)/ (pinned in constraints.txt, PyTorch's CPU build" \
	      "among them): about 2 minutes the first time, seconds after"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check \
		-r requirements.txt -c constraints.txt -e .
	touch $@

$(JS_OK): package.json package-lock.json
	@echo "setup: Temml, the math font, axe-core and Lighthouse into node_modules/ (package-lock.json): about 15 seconds"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Chromium for the browser tests (tests/browser/): Playwright cannot download its own
# browser here, so it drives the distribution's. Installed only when /usr/bin/chromium is
# missing; needs root (CI runs as root, without a terminal) or sudo.
$(BROWSER_OK):
	@test -x /usr/bin/chromium || echo "setup: Debian's chromium with apt-get: about 1 minute"
	test -x /usr/bin/chromium || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	mkdir -p $(@D) && touch $@

# The notebook page is not executed while serving (a rebuild would take ~4 s longer);
# NOTEBOOKS_EXECUTE=true make serve shows its outputs. build and test always execute it.
# Not strict while serving: a warning (a broken link) is printed and the pages still
# update. A build *error* (a missing include) makes MkDocs hold every request until it
# is fixed: the browser seems to hang, and the terminal says why.
serve: setup
	@echo "serve: http://127.0.0.1:8000 -- on a build error requests wait until it is fixed; see this terminal"
	NOTEBOOKS_EXECUTE=$${NOTEBOOKS_EXECUTE:-false} $(BIN)/mkdocs serve --no-strict --dev-addr 127.0.0.1:8000

# SITE_URL=https://example.org/last-layer/ make build: canonical links and sitemap.xml
# for that address (mkdocs.yml reads SITE_URL); by default what `make serve` serves.
build: setup
	$(BIN)/mkdocs build --strict

# Fail fast, in three stages; each runs only if the one before passed:
#   1. quick tests: the package, the harness, every page's code fences, the notebook;
#   2. the strict build into site/ (notebook executed);
#   3. the browser tests on that build.
# Each stage prints its wall time (the README's figures come from these lines).
test: setup
	@echo "== test 1/3: quick tests (package, harness, pages' code) on $(WORKERS) workers"
	@date +%s > $(VENV)/.test-start
	$(PYTEST) -m "not browser" --ignore=tests/browser -n $(WORKERS)
	@$(ELAPSED) "test 1/3"
	@echo "== test 2/3: mkdocs build --strict into site/ (for $(TEST_SITE_URL))"
	SITE_URL=$(TEST_SITE_URL) $(BIN)/mkdocs build --strict --site-dir $(SITE)
	@$(ELAPSED) "test 2/3"
	@echo "== test 3/3: browser tests on site/ (headless Chromium, $(WORKERS) workers)"
	SITE_DIR=$(SITE) $(PYTEST) tests/browser -n $(WORKERS)
	@$(ELAPSED) "test 3/3"

# prints "== <stage> done: N s since the last stage, M s in all"
ELAPSED = sh -c 'now=$$(date +%s); start=$$(head -1 $(VENV)/.test-start); \
	last=$$(tail -1 $(VENV)/.test-start); \
	echo "== $$0 done: $$((now - last)) s (all stages so far: $$((now - start)) s)"; \
	echo $$now >> $(VENV)/.test-start'

# The loop for editing one page, e.g. `make check PAGE=losses/mse`: the strict build
# (the notebook executed only when PAGE is a notebook), that page's code fences, and that
# page's browser checks.
check: setup
	@test -n "$(PAGE)" || { echo "usage: make check PAGE=losses/mse (a page under docs/, no suffix)"; exit 2; }
	@test -e docs/$(PAGE).md || test -e docs/$(PAGE).py || { echo "check: no docs/$(PAGE).md or docs/$(PAGE).py"; exit 2; }
	@echo "== check 1/3: mkdocs build --strict"
	NOTEBOOKS_EXECUTE=$(if $(filter notebooks/%,$(PAGE)),true,false) SITE_URL=$(TEST_SITE_URL) \
		$(BIN)/mkdocs build --strict --site-dir $(SITE)
	@echo "== check 2/3: the code of docs/$(PAGE)"
	$(if $(wildcard docs/$(PAGE).md),$(PYTEST) docs/$(PAGE).md,$(PYTEST) tests/test_notebook.py)
	@echo "== check 3/3: browser checks of $(PAGE)"
	SITE_DIR=$(SITE) PAGES=$(PAGE) $(PYTEST) tests/browser/test_site.py

# Re-resolve the pins after editing requirements.txt (needs the registry).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -r requirements.txt
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable; } > constraints.tmp
	mv constraints.tmp constraints.txt && rm -rf .lock-venv

# The benchmark behind docs/practice/why-fuse.md: a few minutes, not part of `make test`.
# It writes bench/results.json and bench/results.md, from which the page's tables and
# figure are built; then bench/canon.py (under a minute) writes bench/canon.json and
# bench/canon.md, the speed-up table of docs/corrections/canon.md.
bench: $(PY_OK)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/canon.py

# Lighthouse (pinned in package-lock.json, mobile preset, simulated throttling) over every
# page, served with gzip under /last-layer/ as a static host serves a project site; the
# table goes to artifacts/lighthouse.md and .json. Pages near the line of 90 get the
# median of three runs. Minutes, and noisy on a busy machine: not part of `make test`.
audit: setup
	$(BIN)/mkdocs build --strict --site-dir $(CURDIR)/site
	nice $(BIN)/python audit/run.py --site $(CURDIR)/site

clean:
	rm -rf site build .pytest_cache .hypothesis
