# evalkit — one-command set-up. `make demo` evaluates the sample department; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEBS   := fonts-noto-cjk chromium poppler-utils

.PHONY: demo county test lint setup sysdeps bytecode lab clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# Compiled bytecode of evalkit itself (pip compiles what it installs, not an editable
# project): without it, where PYTHONDONTWRITEBYTECODE is set, every command and every
# kernel compiles evalkit again (about 0.15 s each). Only changed modules are recompiled.
bytecode: setup
	@$(BIN)/python -m compileall -q evalkit >/dev/null

# Debian packages evalkit needs (CJK font for charts and reports). Installs only what is missing.
sysdeps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "请以 root 安装 Debian 软件包：$$missing"; exit 1; fi; \
	fi

demo: setup sysdeps bytecode
	$(BIN)/evalkit check data/ningxian-gxj-2024.xlsx
	$(BIN)/evalkit run params/ningxian-gxj-2024.yaml

county: setup sysdeps bytecode
	$(BIN)/evalkit batch params/ --jobs 2

lint: setup
	$(BIN)/ruff check evalkit tests benchmarks
	$(BIN)/ruff format --check evalkit tests benchmarks notebooks/_build.py

test: setup sysdeps bytecode lint
	$(BIN)/python -m pytest -q

lab: setup bytecode
	$(BIN)/jupyter lab notebooks/

clean-venv:
	rm -rf $(VENV)
