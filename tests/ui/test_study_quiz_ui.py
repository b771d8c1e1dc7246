"""Quiz me in a real browser: a card's question with the note hidden, the typed answer graded, then the
note's passage highlighted; the next card follows the schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_quiz_grades_an_answer_and_shows_the_passage(study_url, open_page, artifacts: Path):
    page = open_page(study_url)
    page.locator("#open-quiz").click()
    panel = page.locator("#source-panel")
    expect(panel.locator(".quiz")).to_be_visible()
    panel.locator("#quiz-deck").select_option("biology_flashcards.txt")
    question = panel.locator(".quiz-question")
    expect(question).to_have_text("What does ATP stand for?")
    expect(panel.locator("#source-text")).to_be_hidden()  # the answer is in the note: not shown yet
    expect(panel.locator(".quiz-status")).to_contain_text("3 cards")

    panel.locator("#quiz-answer").fill("adenosine triphosphate")
    panel.locator("button.quiz-check").click()
    result = panel.locator(".quiz-result")
    expect(result).to_have_class("quiz-result correct")
    expect(result).to_contain_text("Adenosine triphosphate")
    mark = panel.locator("#source-text mark")
    expect(mark).to_have_text("Adenosine triphosphate")
    page.screenshot(path=artifacts / "study-quiz.png")

    panel.locator("button.quiz-next").click()
    expect(question).to_have_text("Which organelle produces most of the ATP in a cell?")
    panel.locator("#quiz-answer").fill("the golgi apparatus")
    panel.locator("button.quiz-check").click()
    expect(result).to_have_class("quiz-result wrong")
    expect(mark).to_have_text("The mitochondrion, through oxidative phosphorylation.")
