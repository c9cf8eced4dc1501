# One command to try the bot, one to test it. Both install into .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 3978

.PHONY: run test index eval bench clean

# The stamp files make a second `make` skip pip when pyproject.toml has not changed.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev]'
	touch $@

# serve builds the index when there is none, and otherwise answers at once and rebuilds beside when the
# corpus has changed (bot/rebuilds.py): a restart after adding a document never takes the chat down.
run: $(VENV)/.installed
	@echo "Omstillingsbot starter. Åpne http://$(HOST):$(PORT)/ i nettleseren for å chatte, eller prøv:"
	@echo "  curl -s http://$(HOST):$(PORT)/api/ask -H 'content-type: application/json' -d '{\"question\": \"Hva er rapportens hovedanbefaling?\"}'"
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/omstillingsbot serve

test: $(VENV)/.installed-dev
	$(PY) -m pytest -q

index: $(VENV)/.installed
	$(VENV)/bin/omstillingsbot index

eval: $(VENV)/.installed
	$(VENV)/bin/omstillingsbot eval ../shared/eval/dev.jsonl

bench: $(VENV)/.installed-dev
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) data .pytest_cache
