# Two entry points for a fresh clone: `make serve` (the course) and `make test` (the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test bench install browser hunspell clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP) hunspell
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

test: $(STAMP) browser hunspell
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
