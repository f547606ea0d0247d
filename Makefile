# Two entry points for a fresh clone: `make serve` (the course) and `make test` (the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs: `make serve` needs only the course itself; `make test` (and `make install`) add the test tools,
# Playwright and the nbgrader course with JupyterLab.
SERVE_STAMP := $(VENV)/.installed-serve
STAMP := $(VENV)/.installed-test

.PHONY: serve test bench install browser hunspell servers clean

$(SERVE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(SERVE_STAMP)

$(STAMP): $(SERVE_STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,nbgrader]'
	touch $(STAMP)

install: $(STAMP)

serve: $(SERVE_STAMP) hunspell
	$(BIN)/sipkurs serve $(ARGS)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installerar Debians chromium för webbläsartesterna …"; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "Kunde inte installera chromium: webbläsartesterna hoppas över."; }

# The Swedish dictionary comes from PyPI (hunspell-sv); Debian's C library reads it faster and in ~30 MiB instead of
# spylls' ~230 MiB per process. Without it the graders fall back to spylls.
hunspell:
	@ldconfig -p 2>/dev/null | grep -q libhunspell-1.7 || { \
	  echo "Installerar Debians libhunspell för stavningskontrollen …"; \
	  (apt-get update -qq && apt-get install -y -qq libhunspell-1.7-0 >/dev/null) || \
	  echo "Kunde inte installera libhunspell: stavningen kontrolleras med spylls (långsammare)."; }


# A real PostgreSQL and HAProxy for the `postgres` tests (the tests start their own throw-away server and proxy).
servers:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	[ -z "$$missing" ] || { \
	  echo "Installerar Debians$$missing för PostgreSQL- och driftstesterna …"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || \
	  echo "Kunde inte installera$$missing: de testerna hoppas över."; }

test: $(STAMP) browser hunspell servers
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
