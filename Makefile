# Two entry points (see README): `make test` and `make demo`.
# Both set everything up first; every step is skipped when its inputs did not change.
PYTHON      ?= python3.11
VENV        ?= .venv
PY          := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip
STAMPS      := .stamps
# The suite runs on both cores (pytest-xdist), one test file per worker at a time: a file's module fixtures are
# built once. PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile

CXX_SOURCES := $(shell find cpp -type f) CMakeLists.txt $(wildcard cmake/*)
PY_SOURCES  := $(shell find python -type f -not -path '*/__pycache__/*') pyproject.toml

.PHONY: all setup test demo lint format bench clean
all: setup

setup: $(STAMPS)/installed $(STAMPS)/chromium

$(STAMPS)/venv:
	@mkdir -p $(STAMPS)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@touch $@

# Run-time and test dependencies, pinned where a pin matters (SETUP-NOTES.md).
$(STAMPS)/deps: $(STAMPS)/venv requirements.txt
	$(PIP) install --quiet -r requirements.txt
	@touch $@

# ONNX Runtime C headers for the C++ build: system ones if present, else Debian's package.
$(STAMPS)/ort-headers: $(STAMPS)/deps scripts/fetch-onnxruntime-headers.sh
	bash scripts/fetch-onnxruntime-headers.sh build/onnxruntime
	@touch $@

# The package with its compiled plugin (scikit-build-core drives CMake).
$(STAMPS)/installed: $(STAMPS)/ort-headers $(CXX_SOURCES) $(PY_SOURCES)
	FLASHSIM_ORT_INCLUDE_DIR=$(CURDIR)/build/onnxruntime/include \
	  $(PIP) install --quiet --no-build-isolation --no-deps \
	  -Cbuild-dir=build/cmake .
	@touch $@

# Headless browser for the report-rendering test (tests/validate): Debian's chromium,
# skipped when one is installed already.
$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || { $$SUDO apt-get update && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }; \
	fi
	@touch $@

test: setup lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

demo: setup
	$(VENV)/bin/flashsim demo

CXX_FORMATTED := $(shell find cpp macros -name '*.cxx' -o -name '*.hxx' -o -name '*.C')

lint: setup
	$(VENV)/bin/ruff check python tests benchmarks scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/clang-format --dry-run --Werror $(CXX_FORMATTED)

# rewrites the C++ in the .clang-format style (what `make lint` checks)
format: setup
	$(VENV)/bin/clang-format -i $(CXX_FORMATTED)

bench: setup
	$(VENV)/bin/flashsim bench

clean:
	rm -rf build $(STAMPS)
