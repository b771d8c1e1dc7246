"""Study-mode tests: a few small notes of our own (flashcards, TeX, sections), one index and one server
with the real embedder and the quoting writer (NOTECITE_GENERATOR=none: no answer model to load)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from tests import notes_settings

STUDY_NOTES = {
    "optimizers.md": (
        "# Optimizers\n\n"
        "## Gradient descent\n\n"
        "Gradient descent is an iterative method that moves the parameters against the gradient of the loss. "
        "The update is \\(\\theta_{t+1} = \\theta_t - \\eta \\nabla L(\\theta_t)\\) with learning rate \\(\\eta\\).\n\n"
        "## Adam\n\n"
        "Adam is an optimizer that keeps moving averages of the gradient and of its square. "
        "The first moment is\n\n$$m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t$$\n\n"
        "and bias correction divides it by \\(1 - \\beta_1^t\\) because the averages start at zero.\n\n"
        "## Momentum\n\n"
        "Momentum is a method that accumulates a velocity vector in the direction of persistent descent, "
        "which damps oscillations across steep ravines.\n"
    ),
    "biology_flashcards.txt": (
        "Biology Flashcards\n"
        "What does ATP stand for?\n"
        "Adenosine triphosphate\n"
        "Which organelle produces most of the ATP in a cell?\n"
        "The mitochondrion, through oxidative phosphorylation.\n"
        "What pigment absorbs light in photosynthesis?\n"
        "Chlorophyll, found in the thylakoid membranes of chloroplasts.\n"
    ),
    "rivers.md": (
        "# Rivers\n\n"
        "## Deltas\n\n"
        "A river delta forms where a river meets slower water and drops the sediment it carries. "
        "The Nile delta in Egypt is a classic arc-shaped delta.\n\n"
        "## Meanders\n\n"
        "A meander is a bend in a river channel formed as the outer bank erodes and the inner bank collects sediment.\n"
    ),
}


def study_settings(root: Path, **overrides: object) -> Settings:
    return notes_settings.notes_settings(root, STUDY_NOTES, **overrides)


@pytest.fixture(scope="session")
def study_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("study")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def study_runtime(study_root: Path):
    from service.runtime import Runtime

    return Runtime.build(study_settings(study_root))


@pytest.fixture(scope="session")
def study_url(study_root: Path, study_runtime) -> Iterator[str]:
    from service.server import running_server

    with running_server(study_runtime.settings, study_runtime) as url:
        yield url
