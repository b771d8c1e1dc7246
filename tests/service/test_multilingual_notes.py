"""Chinese, Korean and Thai notes beside English ones, asked in their languages through the served API.

A question's grammar ("什么是", "무엇입니까") is no topic word the notes lack: before, "什么是抹茶？" counted 什么, 么是
and 是抹 as unknown words and abstained over notes that explain 抹茶.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.abstain import unknown_terms
from service.runtime import Runtime
from service.server import running_server
from tests.notes_settings import notes_settings
from tests.service.test_api import assert_citations_are_exact

NOTES = {
    "café.md": (
        "# Café crème\n\n"
        "A flat white is espresso topped with a thin layer of velvety microfoam.\n\n"
        "## 抹茶\n\n"
        "Matcha 抹茶 is a powdered green tea whisked with a bamboo chasen until frothy.\n"
    ),
    "grinders.txt": "Grinders\n\nBurr grinders crush beans between two abrasive surfaces.\n",
    # Longjing is a green tea from West Lake in Hangzhou, best brewed with water at about eighty degrees
    "绿茶.md": "# 绿茶\n\n龙井茶是一种产于杭州西湖的绿茶，用八十度左右的热水冲泡味道最好。\n",
    # kimchi is a Korean fermented food made from napa cabbage and chili powder
    "김치.md": "# 김치\n\n김치는 배추와 고춧가루로 만든 한국의 발효 음식입니다.\n",
    # Thai tea is black tea mixed with sweetened condensed milk and sugar, served over ice
    "ชาไทย.md": "# ชาไทย\n\nชาไทยเป็นชาดำที่ผสมนมข้นหวานและน้ำตาล เสิร์ฟกับน้ำแข็ง\n",
}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return Runtime.build(notes_settings(tmp_path_factory.mktemp("multilingual"), NOTES))


@pytest.fixture(scope="module")
def url(runtime: Runtime) -> Iterator[str]:
    with running_server(runtime.settings, runtime) as served:
        yield served


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("什么是抹茶？", "抹茶"),  # "what is matcha?"
        ("抹茶是什么？", "抹茶"),
        ("龙井茶产于哪里？", "龙井茶"),  # "where does Longjing tea come from?"
        ("김치는 무엇입니까?", "김치"),  # "what is kimchi?"
        ("김치란 무엇인가요?", "김치"),
        ("ชาไทยคืออะไร", "ชาไทย"),  # "what is Thai tea?"
    ],
)
def test_a_question_in_chinese_or_korean_is_answered_from_the_note(url: str, question: str, quoted: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as c:
        answer = c.post("/api/ask", json={"question": question}).json()
        assert not answer["abstained"] and quoted in answer["text"], answer
        assert_citations_are_exact(c, answer)


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("什么是抹茶？", []),
        ("抹茶和龙井茶有什么区别？", []),  # 茶和, 和龙, 茶有 only join words the notes hold
        ("什么是乌龙茶？", ["乌龙茶"]),  # oolong: one word the notes lack, not 乌龙 and 龙茶
        ("김치는 무엇입니까?", []),
        ("불고기는 무엇입니까?", ["불고기"]),  # bulgogi + the particle 는; 무엇 + 입니까 ask "what is"
        ("抹茶とは何ですか？", []),
        ("ชาไทยคืออะไร", []),  # Thai tea + คือ "is" + อะไร "what"
        ("ชาไทยผสมอะไร", []),  # "what is Thai tea mixed with?": ยผ only joins ชาไทย and ผสม
        ("กาแฟคืออะไร", ["กาแฟ"]),  # coffee, though the notes hold its letters' bigram าแ
        ("ชาเขียวคืออะไร", ["ชาเขียว"]),  # green tea
        ("What is a portafilter?", ["portafilter"]),
    ],
)
def test_only_topic_words_the_notes_lack_are_unknown(runtime: Runtime, question: str, unknown: list[str]) -> None:
    assert unknown_terms(question, runtime.served.reader.term_stems) == unknown
