# The two commands (make run, make test) do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench screenshots dist deb clean messages catalogues lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# Every dependency comes pinned, with its hashes, from requirements.lock (`make lock` refreshes it
# after pyproject.toml changes; tests/test_lock.py fails while the two disagree).
LOCK := requirements.lock
LOCK_EXTRAS := --extra desk --extra server --extra reports --extra test --extra dist

$(STAMP): $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/pip install --require-hashes -r $(LOCK)
	$(BIN)/pip install --no-deps -e .
	touch $(STAMP)

lock: $(BIN)/python
	$(BIN)/pip install -q 'uv>=0.4'
	$(BIN)/uv pip compile pyproject.toml $(LOCK_EXTRAS) --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_34 --no-header -o $(LOCK)

# Translations: the .po files in resources/locale/ are the source (in git); the .mo files the
# desk reads are compiled from them here (not in git). `make messages` extracts the message ids
# from the code (Babel; the keywords are the desk's gettext functions, `tr`/`_t` take the message
# second) and merges them into the Chinese catalogue, dropping the ones no code uses.
LOCALE := resources/locale
PO_FILES := $(wildcard $(LOCALE)/*/LC_MESSAGES/dnw_desk.po)
MO_FILES := $(PO_FILES:.po=.mo)
MESSAGE_KEYWORDS := -k N_ -k tr:2 -k _t:2 -k translate_in:2

$(LOCALE)/%/LC_MESSAGES/dnw_desk.mo: $(LOCALE)/%/LC_MESSAGES/dnw_desk.po $(STAMP)
	$(BIN)/pybabel -q compile -D dnw_desk -l $* -i $< -o $@

catalogues: $(MO_FILES)

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(MESSAGE_KEYWORDS) --sort-by-file -o $(LOCALE)/dnw_desk.pot dnw_desk
	@# An empty template would empty the catalogue: refuse it.
	@grep -q '^msgid "[^"]' $(LOCALE)/dnw_desk.pot || { echo "no messages extracted"; exit 1; }
	$(BIN)/pybabel update -D dnw_desk -l zh_CN -i $(LOCALE)/dnw_desk.pot -d $(LOCALE) \
		--no-fuzzy-matching --ignore-obsolete

# A local dnw-server (SQLite) is started beside the desk and the desk enrolled with it for the
# hall and window it is set up for (after the setup wizard on a first start, again whenever an
# admin changes them), so register -> sync -> scan the QR -> status page works out of the box.
# The leading "-" lets the desk start offline if the server cannot.
LOCAL_SERVER_PORT ?= 8765
run: $(STAMP) catalogues
	-$(BIN)/python -m dnw_desk.devserver --port $(LOCAL_SERVER_PORT)
	DNW_LOCAL_SERVER=$(LOCAL_SERVER_PORT) $(BIN)/dnw-desk

test: $(STAMP) catalogues
	$(BIN)/ruff check dnw_desk tests bench packaging
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n auto

bench: $(STAMP) catalogues
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run_all.py $(BENCH)

# The packaged desk (PyInstaller onedir) in dist/dnw-desk/, then its self-test.
dist: $(STAMP) catalogues
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller build.spec
	QT_QPA_PLATFORM=offscreen dist/dnw-desk/dnw-desk --self-test

# The Debian package for the counter PCs (Kylin, UOS): dist/dnw-desk_VERSION_ARCH.deb.
deb: dist
	$(BIN)/python packaging/deb/make_deb.py

clean:
	rm -rf build dist *.egg-info

# Every intake-desk screen rendered under Xvfb into docs/screenshots/ (apt-get install xvfb
# libxcb-cursor0 when xvfb-run is missing).
screenshots: $(STAMP) catalogues
	@command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: apt-get install xvfb libxcb-cursor0"; exit 1; }
	xvfb-run -a -s "-screen 0 1920x1200x24" $(BIN)/python -m dnw_desk.ui.screenshots --out docs/screenshots
