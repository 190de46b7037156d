# Two commands do all the set-up on a fresh machine with Python 3.11+, make and git:
#   make serve   build the sample data and serve it on http://127.0.0.1:5000/
#   make test    run the whole test suite
#   make check   the quick loop: the tests that need no server, browser or Virtuoso (under a minute)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Debian packages the tests drive for real: Chromium (pages, query editor), Virtuoso (remote store).
SYSTEM_PACKAGES := chromium chromium-driver virtuoso-opensource
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The SPARQL editor (YASGUI) comes from the npm registry, served by eulod itself. Without npm
# the editor page falls back to a plain form; CI has npm, so the browser tests use the editor.
NPM_STAMP := endpoint/static/node_modules/.installed-stamp

.PHONY: install system-deps build serve test check dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NPM_STAMP): endpoint/static/package.json endpoint/static/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix endpoint/static --no-audit --no-fund --loglevel=error && touch $(NPM_STAMP); \
	else echo "warning: npm not found: the SPARQL editor falls back to a plain form"; fi

install: $(STAMP) $(NPM_STAMP)

build: install
	$(BIN)/eulod build

serve: build
	$(BIN)/eulod serve

# Installs the Debian packages the tests need when one is missing (as root, or with sudo).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: cannot install$$missing (no apt-get); browser tests will be skipped outside CI"; fi; \
	fi

test: install system-deps
	$(BIN)/python -m pytest

# The quick loop: leaves out what needs a server, a browser or Virtuoso (markers set in
# tests/conftest.py from the fixtures a test uses) and what is marked slow; property tests try
# at most 10 examples each (the check profile). Needs no system packages.
CHECK_MARKERS := not server and not browser and not virtuoso and not slow
check: $(STAMP)
	$(BIN)/python -m pytest -q -m "$(CHECK_MARKERS)" --hypothesis-profile=check

# The wheel and sdist users install (pip install dist/eulod-*.whl): they carry the SPARQL editor,
# installed from the npm registry while they are built (needs npm), and the git commit.
dist: $(STAMP)
	$(BIN)/python -m build --no-isolation --outdir dist .

clean:
	rm -rf build dist $(VENV) *.egg-info .pytest_cache .hypothesis endpoint/static/node_modules \
	  endpoint/vendor eulod/core/build-info.json
