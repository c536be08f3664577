# Thin wrappers: every target is one command you could type yourself.
PYTHON      ?= python3
VENV        ?= .venv
BUILD       ?= _build
SPHINXOPTS  ?= -j auto
SPHINX       = $(VENV)/bin/python -m sphinx -c . docs
STAMP        = $(VENV)/.installed

.PHONY: html doctest outputs test livehtml linkcheck clean distclean tools

html: $(STAMP) tools  ## build the site into _build/html
	$(SPHINX) -b html $(SPHINXOPTS) $(BUILD)/html

doctest: $(STAMP)  ## re-run every example fresh and compare with the checked-in *.out files
	$(SPHINX) -b snippets-check -E $(SPHINXOPTS) $(BUILD)/check
	$(SPHINX) -b doctest -q $(BUILD)/doctest

outputs: $(STAMP)  ## regenerate every examples/**/*.out after a deliberate change; review with git diff
	$(SPHINX) -b dummy -E -q $(SPHINXOPTS) -D snippets_update_outputs=1 -D snippets_cache=0 $(BUILD)/outputs

test: $(STAMP)  ## every test: pytest (unit, Sphinx, hostile, browser), doctest, strict site build
	bash .ci/test

livehtml: $(STAMP)  ## rebuild and reload in the browser while you edit
	$(VENV)/bin/sphinx-autobuild -c . docs $(BUILD)/html --watch examples

linkcheck: $(STAMP)
	$(SPHINX) -b linkcheck -W --keep-going $(BUILD)/linkcheck

tools:  ## say what is missing, and how to install it (the build still runs without it)
	@bash .ci/check-tools

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment: apt-get install python3-venv"; exit 1; }
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test,dev]'
	@touch $@

clean:  ## remove built pages; keeps the example cache (_build/.snippets-cache)
	rm -rf $(BUILD)/html $(BUILD)/doctrees $(BUILD)/check $(BUILD)/doctest $(BUILD)/outputs $(BUILD)/linkcheck

distclean:  ## remove everything generated, cache and virtual environment included
	rm -rf $(BUILD) $(VENV)
