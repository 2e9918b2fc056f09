# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run chat check test eval bench load-bench security-bench install services e2e-deps clean train-triage train-encoder

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	bash scripts/run.sh

chat: $(STAMP)
	$(PY) app.py chat

# Starts PostgreSQL when it is down, so the PostgreSQL half of the suite always runs.
services:
	@bash scripts/ensure-postgres.sh

# The habits that keep the layout: lint and format (ruff), the layers (import-linter), types (mypy).
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: $(STAMP) services check
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) app.py eval

bench: $(STAMP)
	$(PIP) install --quiet -e '.[bench]'
	$(PY) -m benchmarks.matcher

# Refits the learned triage layer from knowledge/triage/training*.yaml (writes classifier.npz).
train-triage: $(STAMP)
	$(PIP) install --quiet -e '.[train]'
	$(PY) -m bot.triage.training

# Fine-tunes the sentence encoder on the clause questions and catalog examples (writes
# knowledge/model/encoder.onnx and its manifest; ~7 min on two cores). Refit triage after it (make train-triage).
train-encoder: $(STAMP)
	$(PIP) install --quiet -e '.[train-encoder]'
	$(PY) -m knowledge.encoder_training

load-bench: $(STAMP) services
	$(PY) -m benchmarks.load

# 200 forged Bot Framework tokens against a 3-second OpenID metadata endpoint: /healthz must stay under 100 ms.
security-bench: $(STAMP)
	$(PY) -m benchmarks.forged_tokens

clean:
	rm -rf $(VENV) var .pytest_cache
