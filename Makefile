# Two commands on a fresh machine: `make run` and `make test`.
VENV      := .venv
PY        := $(VENV)/bin/python
WAREHOUSE ?= data/warehouse
PORT      ?= 8501

.PHONY: run test warehouse demo chromium postgresql bench clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Build the simulated warehouse through the real ETL, only when there is none yet.
# Rebuilt (same data) when the models or reference tables changed since it was built.
warehouse: $(VENV)/.installed
	$(PY) -m etl demo --if-missing --warehouse $(WAREHOUSE)
	$(PY) -m etl rebuild --if-stale --warehouse $(WAREHOUSE)

# Rebuild the simulated warehouse from scratch.
demo: $(VENV)/.installed
	rm -rf $(WAREHOUSE)
	$(PY) -m etl demo --warehouse $(WAREHOUSE)

run: warehouse
	CDCS_WAREHOUSE=$(WAREHOUSE) $(PY) -m ui.serve run app.py --server.port $(PORT)

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here); the scale-out
# test starts a private PostgreSQL server from Debian's binaries.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && apt-get install -y postgresql)

test: $(VENV)/.installed-dev chromium postgresql
	$(PY) -m pytest

bench: $(VENV)/.installed-dev chromium postgresql
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) $(WAREHOUSE) tests/screenshots
