# bizline developer commands. `make test` is the one CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13: use it for the virtualenvs (PATH first, then pyenv).
PYTHON313 ?= $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null || { v=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$$' | tail -n1); [ -n "$$v" ] && echo "$$(pyenv prefix $$v)/bin/python3.13"; })
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0
export AWS_REGION ?= eu-central-1
export AWS_DEFAULT_REGION ?= $(AWS_REGION)
export SAM_CLI_TELEMETRY := 0

.PHONY: help test test-fast lint unit api-contract sam-checks run invoke customer admin webhook bench clean python313 \
	console console-test chromium

help:
	@echo "make test    - install what is needed, then lint, tests and template checks (CI runs this)"
	@echo "make test-fast - the tests without the slow end-to-end ones (no local platforms, no waiting on real time)"
	@echo "make api-contract - schemathesis against the local platform (part of make test)"
	@echo "make run     - the whole platform locally on an embedded AWS (PORT=3000)"
	@echo "make customer TEXT=... - a customer writes to the demo bakery (on a running make run)"
	@echo "make admin ARGS='list' - act as a reviewer (SigV4-signed) on a running make run"
	@echo "make webhook FILE=payload.json - sign a Meta webhook envelope with the local app secret and post it"
	@echo "make bench   - AWS calls, cost, hot keys and cold starts per unit of work -> BENCHMARKS.md"
	@echo "make invoke  - one handler with a sample event: make invoke FN=BusinessApiFunction EVENT=events/..."
	@echo "make console - build the console (console/dist, served by make run at /console) when its sources changed"
	@echo "make chromium - install Debian's chromium for the console's browser tests when it is missing"
	@echo "make clean   - remove virtualenvs and build output"

python313:
	@if [ -z "$(PYTHON313)" ] || [ ! -x "$(PYTHON313)" ]; then \
	  echo "error: bizline needs python3.13 (the Lambda runtime). Put python3.13 on PATH or 'pyenv install 3.13'." >&2; \
	  exit 1; fi

$(VENV)/.installed: pyproject.toml | python313
	@[ -x $(PY) ] || $(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@# The venv imports bizline, the handlers and local/ from the work tree, as Lambda's /opt/python would.
	$(PY) -c 'import pathlib, sysconfig; root = pathlib.Path.cwd(); pathlib.Path(sysconfig.get_paths()["purelib"], "bizline-dev.pth").write_text("".join(f"{root / d}\n" for d in ("layers/shared", "functions", ".")))'
	@touch $@

$(SAM_VENV)/.installed-$(SAM_CLI_VERSION): | python313
	@[ -x $(SAM_VENV)/bin/python ] || $(PYTHON313) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q aws-sam-cli==$(SAM_CLI_VERSION)
	@touch $@

# The console (console/): a static single-page app built with npm. `npm ci` installs exactly the
# lock file's packages into console/node_modules; the build reruns only when a source changed.
CONSOLE_SOURCES := $(shell find console/src console/public -type f 2>/dev/null) console/index.html \
	console/vite.config.ts console/tsconfig.json console/package.json
CONSOLE_INSTALLED := console/node_modules/.bizline-installed

$(CONSOLE_INSTALLED): console/package-lock.json
	@command -v npm >/dev/null || { echo "error: the console needs Node.js 20+ and npm on PATH." >&2; exit 1; }
	cd console && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

console/dist/index.html: $(CONSOLE_INSTALLED) $(CONSOLE_SOURCES)
	cd console && npm run --silent build -- --logLevel warn
	@touch $@

console: console/dist/index.html

# Component tests (Vitest): the window timer, status ticks and other tricky parts of the console.
console-test: $(CONSOLE_INSTALLED)
	cd console && npx vitest run

# The console's browser tests drive Debian's chromium (playwright-core, no downloaded browser).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "installing Debian's chromium for the console's browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then APT=apt-get; else APT="sudo apt-get"; fi; \
	  DEBIAN_FRONTEND=noninteractive $$APT update -qq && DEBIAN_FRONTEND=noninteractive $$APT install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# Import contracts: [tool.importlinter] in pyproject.toml.
	PYTHONPATH=layers/shared:functions:. $(VENV)/bin/lint-imports --no-cache --no-logo

# pytest-xdist workers (auto: one per CPU), each with its own embedded AWS (tests/embedded_aws.py);
# the IAM check (tests/conftest.py) gathers every worker's recorded calls and judges them together.
# A test file stays on one worker, so a module's local platform starts once; slow files go first.
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

unit: $(VENV)/.installed
	$(PYTEST) -m "not api_contract"

# Without the end-to-end runs that start local platforms or wait on real time (marked slow).
test-fast: $(VENV)/.installed
	$(PYTEST) -m "not api_contract and not slow"

# The published contract is the served behaviour: schemathesis (schemathesis.toml, seeded and
# bounded) against the local platform's /v1/openapi.json, every phase including the stateful one.
api-contract: $(VENV)/.installed
	$(VENV)/bin/pytest -q -m api_contract

# sam build runs pip for the layer: it must find the venv's python3.13 on PATH.
sam-checks: $(SAM_VENV)/.installed-$(SAM_CLI_VERSION) $(VENV)/.installed
	$(SAM) validate --lint
	$(SAM) validate --region $(AWS_REGION)
	$(PY) -m local.lint_template template.yaml
	PATH="$(abspath $(SAM_VENV))/bin:$$PATH" $(SAM) build --cached --parallel

# After lint, the tests, schemathesis and the template checks run side by side (each one's output
# printed whole when it ends); any failure fails the run.
# The console is built (and chromium installed) first: pytest's browser test drives them (BIZLINE_BROWSER_TESTS=required).
test: lint console chromium console-test
	@BIZLINE_BROWSER_TESTS=required $(MAKE) --no-print-directory --output-sync=target -j3 unit api-contract sam-checks

# The whole platform locally: embedded AWS, HTTP API on PORT (3000), every event source.
run: $(VENV)/.installed console
	$(PY) -m local.run

# Play a customer writing to the demo bakery on a running `make run`: make customer TEXT='Hallo!'
customer: $(VENV)/.installed
	@$(PY) -m local.customer "$(TEXT)"

# Act as a bizline reviewer on a running `make run`: make admin ARGS='claim vrq_...'
admin: $(VENV)/.installed
	@$(PY) -m local.admin $(ARGS)

# Sign any Meta webhook envelope with the local app secret and post it to a running `make run`.
webhook: $(VENV)/.installed
	@[ -n "$(FILE)" ] || { echo "usage: make webhook FILE=payload.json" >&2; exit 2; }
	@$(PY) -m local.webhook "$(FILE)"

# One handler with a sample event against the embedded AWS: make invoke FN=BusinessApiFunction EVENT=events/...
invoke: $(VENV)/.installed
	@[ -n "$(FN)" ] && [ -n "$(EVENT)" ] || { echo "usage: make invoke FN=<function> EVENT=<events/...json>" >&2; exit 2; }
	@$(PY) -m local.invoke "$(FN)" "$(EVENT)"

# A benchmark, not a test: counts AWS calls per unit of work on the embedded AWS, prices them, times
# cold starts; writes bench/results.json, BENCHMARKS.md and bench/calls_per_unit.png.
# MAKE_TEST_SECONDS=... adds the duration of a `make test` measured elsewhere.
bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache console/node_modules console/dist build
