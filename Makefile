# The inexogy toolkit. `make demo` runs the main job, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
GENERATED := generated/inexogy_client
GENERATE = PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate \
	--path openapi.yaml --config generator-config.yaml --meta none --fail-on-warning \
	$(if $(wildcard templates/*.jinja),--custom-template-path templates,)
HAND_WRITTEN := auth_plugin/inexogy_auth mock_server/inexogy_mock toolkit/inexogy scripts examples

.PHONY: install generate check-generated lint format typecheck pytest test demo bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml $(wildcard generated/inexogy_client/__init__.py */inexogy*/__init__.py)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[all,dev]'
	@touch $(STAMP)

# The typed client from openapi.yaml, and the sync client from the async one (scripts/unasync.py).
generate: $(STAMP)
	rm -rf $(GENERATED)
	$(GENERATE) --output-path $(GENERATED)
	$(PY) scripts/finish_generated.py $(GENERATED)
	@rm -rf generated/.ruff_cache $(GENERATED)/.ruff_cache
	$(PY) scripts/unasync.py

check-generated: $(STAMP)
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	cp generated/ruff.toml "$$scratch/" && \
	$(GENERATE) --output-path "$$scratch/inexogy_client" >/dev/null && \
	$(PY) scripts/finish_generated.py "$$scratch/inexogy_client" && \
	rm -rf "$$scratch/.ruff_cache" "$$scratch/inexogy_client/.ruff_cache" && \
	if diff -r -x __pycache__ "$$scratch/inexogy_client" $(GENERATED); then \
		echo "generated/ matches openapi.yaml"; \
	else \
		echo "generated/ differs from what openapi.yaml produces: run 'make generate' and commit" >&2; exit 1; \
	fi
	@$(PY) scripts/unasync.py --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy $(HAND_WRITTEN)

pytest: $(STAMP)
	$(BIN)/pytest

test: install check-generated lint typecheck pytest

# Speed, as ratios measured in one run: every benchmarks/bench_*.py script, one after the other.
bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) "$$script" || exit 1; done

# The API reference, built from the docstrings into docs/api/ (open docs/api/index.html).
DOCUMENTED := inexogy inexogy.extras inexogy_auth inexogy_client inexogy_client.api \
	inexogy_client.models inexogy_client.types inexogy_client.errors inexogy_mock
docs: $(STAMP)
	rm -rf docs/api
	$(BIN)/pdoc --docformat restructuredtext --output-directory docs/api $(DOCUMENTED)
	@echo "API reference: docs/api/index.html"

# The main job: the `inexogy` command end to end against the simulator (see scripts/demo.sh).
demo: $(STAMP)
	@BIN=$(BIN) bash scripts/demo.sh

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis demo-output docs/api
