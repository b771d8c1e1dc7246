# notecite: `make serve` and `make test` work on a fresh machine (they install what they need).
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install system-deps serve test lint eval bench finetune clean

$(STAMP): pyproject.toml requirements/lock.txt requirements/extra.txt scripts/install-python-deps.sh scripts/vendor-static.sh
	scripts/install-python-deps.sh $(VENV)
	scripts/vendor-static.sh
	touch $(STAMP)

install: $(STAMP)

system-deps:
	scripts/install-system-deps.sh

serve: install
	$(BIN)/notecite serve

test: install system-deps
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

eval: install
	$(BIN)/notecite eval --dataset eval/datasets/notes_test7.jsonl --out eval/reports/test7 --readme README.md

bench: install
	$(BIN)/notecite bench retrieval --json
	$(BIN)/notecite bench generate --json

finetune: install
	$(BIN)/notecite finetune

clean:
	rm -rf var artifacts .pytest_cache
