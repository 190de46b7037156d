# Two commands do all the set-up on a fresh machine with Python 3.11+, make and git:
#   make serve   build the sample data and serve it on http://127.0.0.1:5000/
#   make test    run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install build serve test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/eulod build

serve: build
	$(BIN)/eulod serve

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf build $(VENV) *.egg-info .pytest_cache .hypothesis
