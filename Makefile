# Two commands do all set-up (see README):
#   make demo   install, build a demo city on SQLite, serve it on http://127.0.0.1:5000
#   make test   install what the tests need (Debian's Chromium included) and run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The suite runs on SQLite and again on PostgreSQL; set SURVEY_TEST_DATABASE_URL= (empty) to skip the second run.
SURVEY_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export SURVEY_TEST_DATABASE_URL

.PHONY: demo test lint bench-load bench-analysis bench-export system-test-deps system-bench-deps

$(BIN)/flask: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(BIN)/flask
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

demo: $(BIN)/flask
	$(BIN)/flask --app wsgi demo
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

# The export tests read .sav files with PSPP and .sav/.dta files with R's haven; the weights tests recompute a
# round's weights with R's survey package (tests/rounds/r/weights_check.R).
system-test-deps:
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@{ command -v pspp-convert >/dev/null && \
	   Rscript -e 'library(haven); library(jsonlite); library(survey)' >/dev/null 2>&1; } || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q pspp r-base-core r-cran-haven \
	    r-cran-jsonlite r-cran-survey; }

system-bench-deps: system-test-deps
	@Rscript -e 'library(survey)' >/dev/null 2>&1 || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q r-base-core r-cran-survey; }

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: system-test-deps $(VENV)/.dev lint
	$(BIN)/pytest -q

bench-load: system-bench-deps $(VENV)/.dev
	$(BIN)/python benchmarks/bench_load.py

bench-analysis: system-bench-deps $(VENV)/.dev
	$(BIN)/python benchmarks/bench_analysis.py

bench-export: system-test-deps $(VENV)/.dev
	$(BIN)/python benchmarks/bench_export.py
