# The project's commands (README.md). Each installs what it needs into .venv
# first (idempotent: seconds once installed).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: env test demo lint bench-short web

env:
	bash tools/install_env.sh $(VENV)

# one worker per core, at most 4 (pytest-xdist); a test file stays on one worker
test: env
	MMADVSEG_OFFLINE=1 $(PY) -m pytest tests -q -rs -n auto --maxprocesses 4 --dist loadfile

demo: env
	MMADVSEG_OFFLINE=1 $(PY) tools/demo.py --work-dir work_dirs/demo

# the web page to draw a sketch and watch it coloured (the toy model of
# `make demo`; http://127.0.0.1:7860)
web: env
	MMADVSEG_OFFLINE=1 $(PY) tools/web_demo.py

lint: env
	$(VENV)/bin/ruff check mmadvseg tools tests configs

# the benchmarks' CI smoke runs (they print numbers; full runs: docs/benchmarks.md)
bench-short: env
	MMADVSEG_OFFLINE=1 $(PY) tools/analysis/benchmark_train_step.py --short
	MMADVSEG_OFFLINE=1 $(PY) tools/analysis/benchmark_fid.py --short
	MMADVSEG_OFFLINE=1 $(PY) tools/analysis/benchmark_sketch.py --short
	MMADVSEG_OFFLINE=1 $(PY) tools/analysis/benchmark_colorize.py --short --devices cpu
