"""Browser tests: Debian's chromium driven by Playwright, against the real server on a loopback port.

All tests share one server over a small notes folder and index in tmp, with the real embedder and answer
LLM; max_new_tokens is kept small so an answer takes a few seconds.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "ui"
DEFAULT_ADAPTER = REPO_ROOT / "models" / "adapters" / "default.json"
ANSWER_TIMEOUT_MS = 90_000

# Records every element the page creates, so a test can prove note text made no <img> or <script>,
# and counts the streamed-token text updates, so a test can prove the answer arrived piece by piece.
WATCH_SCRIPT = """
window.__created = [];
window.__tokenUpdates = 0;
new MutationObserver((records) => {
  for (const record of records) {
    if (record.type === "characterData" && record.target.parentElement
        && record.target.parentElement.closest(".answer-body.streaming")) {
      window.__tokenUpdates += 1;
    }
    for (const node of record.addedNodes) {
      if (node.nodeType !== 1) continue;
      const all = [node, ...node.querySelectorAll("*")];
      for (const el of all) {
        const tag = el.tagName.toLowerCase();
        if (["img", "script", "iframe", "object", "embed", "svg", "video", "audio"].includes(tag)) {
          window.__created.push(tag + (el.getAttribute("src") ? " src=" + el.getAttribute("src") : ""));
        }
      }
    }
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# The user's notes for the browser tests: small, so the index builds in seconds.
NOTES = {
    "photosynthesis.md": (
        "# Photosynthesis\n\n"
        "Photosynthesis converts light energy into chemical energy stored in glucose. "
        "It takes place in the chloroplasts of plant cells, where the green pigment chlorophyll absorbs "
        "mostly red and blue light.\n\n"
        "## Light reactions\n\n"
        "The light-dependent reactions happen in the thylakoid membranes. They split water, release oxygen, "
        "and produce ATP and NADPH.\n\n"
        "## Calvin cycle\n\n"
        "The Calvin cycle runs in the stroma. The enzyme RuBisCO fixes carbon dioxide into a three-carbon "
        "sugar, using the ATP and NADPH made by the light reactions.\n"
    ),
    "adam.txt": (
        "Adam optimizer\n\n"
        "Adam keeps an exponential moving average of the gradient, called the first moment, and of the "
        "squared gradient, called the second moment. Each parameter's step is the first moment divided by "
        "the square root of the second moment plus a small epsilon. The usual defaults are beta1 = 0.9, "
        "beta2 = 0.999 and a learning rate of 0.001. Bias correction divides each moment by one minus "
        "beta to the power t, because both averages start at zero.\n"
    ),
    "rivers.md": (
        "# Rivers\n\n"
        "A river delta forms where a river meets slower water and drops the sediment it carries. "
        "The Nile delta in Egypt is a classic arc-shaped delta.\n"
    ),
}


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server for all browser tests (loading the models dominates start-up): NOTES in a fresh
    notes folder, the index and uploads in tmp, no reference code, short answers."""
    from core.settings import Settings
    from service.server import running_server

    root = tmp_path_factory.mktemp("ui-server")
    notes_dir = root / "notes"
    notes_dir.mkdir()
    for name, text in NOTES.items():
        (notes_dir / name).write_text(text, encoding="utf-8")
    settings = Settings(
        _env_file=None,
        notes_dir=notes_dir,
        index_dir=root / "var" / "index",
        code_dir=None,
        # The model writer streams tokens (the quoting default arrives whole): the promoted LoRA adapter when
        # one exists; the bare base model answers until then.
        generator="llamacpp",
        adapter="default" if DEFAULT_ADAPTER.exists() else None,
        answer={"max_new_tokens": 48, "top_k": 3},
        api_key=None,
        limits={"rate_limit_per_minute": 1000},
    )
    try:
        with running_server(settings) as url:
            yield url
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def study_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A second server for the study-mode pages: tests/study's notes (TeX, flashcards, sections), the quoting
    writer (no answer model), so its answers are the notes' own sentences; yields (url, notes folder)."""
    from service.server import running_server
    from tests.study.conftest import study_settings

    root = tmp_path_factory.mktemp("ui-study")
    # the page tests read an answer of two quoted sentences with a formula between them ("What is Adam?"): the
    # quote margin, which would drop the second one here, is lifted so both are quoted and highlighted
    settings = study_settings(root, answer={"quote_margin": 10.0})
    try:
        with running_server(settings) as url:
            yield url, settings.notes_dir
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def study_url(study_server: tuple[str, Path]) -> str:
    return study_server[0]


@pytest.fixture
def open_page(browser, artifacts: Path) -> Iterator[Callable[..., object]]:
    """open_page(base_url, width=1280, height=800) -> a page that fails the test on any JS error."""
    contexts = []
    errors: list[str] = []

    def _open(base_url: str, width: int = 1280, height: int = 800, **context_args: object):
        viewport = {"width": width, "height": height}
        context = browser.new_context(viewport=viewport, base_url=base_url, **context_args)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(WATCH_SCRIPT)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/")
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def parse_sse(body: str) -> list[tuple[str, dict]]:
    """The (event, data) pairs of a Server-Sent Events body."""
    import json

    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


class Chat:
    """What a user does on the chat page, as steps the tests share."""

    def __init__(self, page):  # noqa: ANN001 - playwright Page
        self.page = page

    def submit(self, question: str, *, keyboard_only: bool = False):
        """Type the question and press Enter; returns (answer article locator, Answer JSON)."""
        from playwright.sync_api import expect

        before = self.page.locator(".turn-assistant").count()
        with self.page.expect_response("**/api/ask/stream", timeout=ANSWER_TIMEOUT_MS) as info:
            if keyboard_only:
                self.page.keyboard.type(question)
                self.page.keyboard.press("Enter")
            else:
                self.page.locator("#question").fill(question)
                self.page.locator("#question").press("Enter")
        article = self.page.locator(".turn-assistant").nth(before)
        done = article.locator(".answer-actions:not([hidden]), .error").first
        expect(done).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(article.locator(".error")).to_have_count(0)
        events = parse_sse(info.value.text())
        answers = [data for name, data in events if name == "citations"]
        assert answers, f"no citations event in the stream: {events!r}"
        return article, answers[0]

    def created_elements(self) -> list[str]:
        """Elements of risky kinds created after load, less the page's own app.js."""
        created = self.page.evaluate("window.__created")
        return [c for c in created if not (c.startswith("script src=") and c.endswith("app.js"))]


@pytest.fixture
def chat_factory() -> Callable[[object], Chat]:
    return Chat
