# Kasuhara Recorder — the two commands are `make run` and `make test`.
# Both set up what is missing (system packages via apt-get, a .venv with the package) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGE_STAMP := $(VENV)/.installed-package

.PHONY: run test soak soak-export setup system lint format bench screenshots translations package clean

run: setup
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No screen found (DISPLAY unset): starting the app on a virtual screen (Xvfb)."; \
	  xvfb-run -a -s "-screen 0 1366x768x24" $(BIN)/kasuhara-recorder $(ARGS); \
	else \
	  $(BIN)/kasuhara-recorder $(ARGS); \
	fi

# $(PACKAGE_STAMP): tests/packaging builds the frozen app with PyInstaller (~2-3 min)
test: setup lint $(PACKAGE_STAMP)
	scripts/run-tests $(PYTEST_ARGS)

# 30 SIGKILLs per preset rate (48/16/8 kHz) of real recorders; prints every kill and the
# worst and median loss per rate (also kept in soak-report.txt).
SOAK_KILLS ?= 30
soak: setup
	rm -f soak-report.txt
	KASUHARA_KILLS_PER_RATE=$(SOAK_KILLS) KASUHARA_SOAK_REPORT=$(CURDIR)/soak-report.txt \
	  $(BIN)/python -m pytest tests/audio/test_crash_loss.py -s -q -p no:cacheprovider
	@echo; echo "== soak: loss per rate =="; grep -h "kills, loss" soak-report.txt

setup: system $(STAMP) translations

system:
	@scripts/setup-system.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

translations: $(STAMP)
	@$(BIN)/python scripts/build_translations.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy  # strict on evidence/, store/, bundle/, app/; the rest at default (pyproject.toml)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup $(PACKAGE_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# The frozen app dist/kasuhara-recorder/ (PyInstaller, packaging/kasuhara-recorder.spec) and
# dist/kasuhara-recorder_<version>_<arch>.deb; packaging/README.md says what is inside.
$(PACKAGE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install -q -e '.[package]'
	@touch $@

package: setup $(PACKAGE_STAMP)
	$(BIN)/python packaging/build.py $(PACKAGE_ARGS)

# An export SIGKILLed 20 times at random moments; after each, `recover` and a search of every
# file on the destination (a tmpfs, needs root) for the exported audio. SOAK_EXPORT_ARGS:
# --kills N, --seed N. (`make test` runs 3 of these.)
soak-export: setup
	$(BIN)/python scripts/soak_export.py $(SOAK_EXPORT_ARGS)

screenshots: setup
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
