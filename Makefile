# omnirelay: `make run` starts the gateway, `make test` runs the suite. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROTOS := $(wildcard proto/omnirelay/v1/*.proto)

.PHONY: run test generate check-generated lint lint-proto bench clean

# The install copies generated/ into the venv (the wheel's force-include), so it is redone
# whenever the generated code changes.
$(STAMP): pyproject.toml $(wildcard generated/omnirelay/v1/*.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/omnirelay serve

# The suite runs against SQLite and, when OMNIRELAY_TEST_POSTGRES_URL is set, PostgreSQL too.
test: $(STAMP)
	$(BIN)/pytest

generate: $(STAMP)
	rm -rf generated/omnirelay
	mkdir -p generated/omnirelay/v1
	$(BIN)/python -m grpc_tools.protoc -I proto --python_out=generated --pyi_out=generated \
		--grpc_python_out=generated $(PROTOS)
	echo '"""omnirelay v1 API: messages and gRPC stubs generated from proto/ by make generate."""' \
		> generated/omnirelay/v1/__init__.py
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Fails when generated/ does not match proto/.
check-generated: generate
	git diff --exit-code --stat -- generated
	test -z "$$(git status --porcelain -- generated)"

lint: $(STAMP)
	$(BIN)/ruff check src tests

lint-proto:
	npx --yes @bufbuild/buf@1.75.0 lint

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
