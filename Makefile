# Two commands on a fresh machine (Python 3.11+ on PATH):
#   make book   install, pull data, run every notebook, build the HTML book into _build/html
#   make test   install with the test extra and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# the package's bytecode, brought up to date by every target: every scity process, kernel
# and Sphinx build imports it, and where PYTHONDONTWRITEBYTECODE is set each would compile
# the sources again (pip compiles the installed libraries, not an editable install's sources)
COMPILE = $(BIN)/python -m compileall -q src

.PHONY: book pdf test install install-test browser-deps pdf-deps data run html bench lint clean

$(VENV)/.stamp-runtime: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@ $(VENV)/.stamp-runtime

install: $(VENV)/.stamp-runtime
	$(COMPILE)
install-test: $(VENV)/.stamp-test
	$(COMPILE)

# The browser the browser test drives is a setting, SCITY_BROWSER (tests/browser_setting.py):
#   unset/empty  Debian's /usr/bin/chromium, installed here with apt (+ fonts-noto-cjk) if missing
#   playwright   Playwright's own Chromium, downloaded here with its system libraries and fonts
#                (needs network and sudo/root; what .github/workflows/book.yml uses)
#   /some/path   any other Chromium-family executable, which must already be installed
# Only the selected browser is installed: apt is never used for another choice.
DEBIAN_CHROMIUM := /usr/bin/chromium
# apt needs root: as root (this machine, CI) call it directly, elsewhere (GitHub's runner user) via sudo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SCITY_BROWSER ?=
export SCITY_BROWSER
BROWSER := $(or $(strip $(SCITY_BROWSER)),$(DEBIAN_CHROMIUM))

ifeq ($(BROWSER),playwright)
browser-deps: install-test
	$(BIN)/python -m playwright install --with-deps chromium
else ifeq ($(BROWSER),$(DEBIAN_CHROMIUM))
browser-deps:
	@test -x $(DEBIAN_CHROMIUM) || { \
	  echo "installing Debian chromium + fonts-noto-cjk for the browser test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }
else
browser-deps:
	@test -x '$(BROWSER)' || { \
	  echo "SCITY_BROWSER=$(BROWSER) is not an executable file: install that browser, unset" \
	       "SCITY_BROWSER for Debian's chromium, or set SCITY_BROWSER=playwright." >&2; exit 1; }
endif

# pdftotext/pdffonts (Debian poppler-utils) for the PDF test
pdf-deps: browser-deps
	@command -v pdftotext >/dev/null || { \
	  echo "installing Debian poppler-utils for the PDF test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; }

data: install
	$(BIN)/scity data pull

run: data
	$(BIN)/scity run

html: data
	$(BIN)/scity build

book: run
	$(BIN)/scity build

# the PDF editions (_build/pdf/scity-en.pdf, scity-ja.pdf), printed by Debian's Chromium
pdf: book browser-deps
	$(BIN)/scity pdf

# nbval checks every notebook twice in the one suite (notebooks/conftest.py): in a kernel with the
# machine's own BLAS kernel, and in one forced to an old kernel (OPENBLAS_CORETYPE=Prescott), so a
# notebook whose outputs depend on the CPU fails here rather than on a reader's machine.
# pytest-xdist spreads the suite over the cores: --dist loadscope keeps each test module, and each
# pass of each notebook (one kernel, cells in order), on one worker, handed out in collection
# order (tests/conftest.py puts the slowest first); its file locks let workers share the pulled
# data, the built site and the project's run lock.
# pytest keeps the test modules' assertion-rewritten bytecode in tests/__pycache__ only where
# bytecode may be written: with PYTHONDONTWRITEBYTECODE set (as on the development machine) each
# worker rewrote and compiled every test module on every run (1.5 s of each worker's start).
PYTEST_WORKERS ?= auto
test: install-test browser-deps pdf-deps
	$(BIN)/scity data pull
	$(BIN)/ruff check src tests
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder

bench: install
	$(BIN)/scity bench

lint: install-test
	$(BIN)/ruff check src tests

clean:
	rm -rf _build data/raw data/tidy
