# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint install system-deps serve bench bench-hosts bench-documents bench-search bench-resolutions clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the pinned dependencies change, or when an app appears: an editable install
# maps only the packages that existed when it was made (the `chamber` command would not find
# a new app).
$(VENV)/.installed: pyproject.toml $(wildcard */apps.py) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# CHAMBER_BIND_HOST: Django's debug pages only for a server bound to this machine (loopback).
demo: install
	$(BIN)/chamber migrate --no-input
	$(BIN)/chamber load_demo --host $(HOST) --port $(PORT)
	CHAMBER_BIND_HOST=$(HOST) $(BIN)/daphne -b $(HOST) -p $(PORT) chamber.asgi:application

serve: install
	CHAMBER_BIND_HOST=$(HOST) $(BIN)/daphne -b $(HOST) -p $(PORT) chamber.asgi:application

# Debian packages the browser tests need (chromium); installed with apt-get when CI=true.
system-deps:
	bash scripts/ensure-system-deps.sh

# ruff, then the import contracts of pyproject's [tool.importlinter] (realtime imports no app).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install system-deps lint
	$(BIN)/pytest

# The one-chamber scenario (N tablets in one sitting), then the city's morning (bench/city).
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench --city $(CITY_ARGS)

# The city's morning on one host, then with its workers split over two (network namespaces)
# behind nginx, and what the second host bought; with the floor. Needs root.
bench-hosts: install
	bash scripts/ensure-system-deps.sh bench-hosts
	$(BIN)/python -m bench --city --hosts 1,2 $(CITY_ARGS)

# A 300-page PDF from upload to the first page on a tablet; pages rendered per second.
bench-documents: install
	$(BIN)/python -m bench.documents $(BENCH_ARGS)

# The search index at a city's year (60,000 petitions, 20,000 answers): query p50/p95 on
# PostgreSQL and SQLite, and the LIKE scan it replaced.
bench-search: install
	$(BIN)/python -m bench.search --compare-like $(BENCH_ARGS)

# The resolutions' pages at a city's year (169 councils, ~5,000 resolutions, ~19,000 tasks):
# overviews, lists, search, exports — p50/p95, database and CPU time, on PostgreSQL and SQLite.
bench-resolutions: install
	$(BIN)/python -m bench.resolutions $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
