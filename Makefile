# One virtual environment in .venv holds everything; each target sets it up on first use.
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup reproduce test lint docs benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[neural,codec,dev,docs,sweep,explore]"
	touch $(STAMP)

setup: $(STAMP)

reproduce: $(STAMP)
	RDP_NEURAL_RESULTS=results/neural:docs/neural $(BIN)/rdp reproduce --out results
	$(BIN)/rdp verify --out results/verify.json

# The browser tests open the site that the mkdocs step has just built and the explorer app
# (they skip, with the reason, where no Chromium is installed: .ci/run installs Debian's).
test: $(STAMP)
	$(BIN)/ruff check rdp tests examples benchmarks tools
	$(BIN)/python -m pytest -q -n 2 -m "not browser"
	$(BIN)/mkdocs build --strict --site-dir build/site
	RDP_SITE_DIR=build/site $(BIN)/python -m pytest -q -m browser tests/test_site_browser.py tests/test_explore_browser.py

lint: $(STAMP)
	$(BIN)/ruff check rdp tests examples benchmarks tools
	$(BIN)/ruff format --check rdp tests examples benchmarks tools

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir build/site

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_discrete.py

clean:
	rm -rf $(VENV) build results
