"""Request and response models of the HTTP API (the OpenAPI schema at /docs comes from these).

Answers, hits and citations are the pipeline's own dataclasses (service.answer, retrieval.retriever):
FastAPI documents and validates them directly, so there is one definition of each.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from retrieval.retriever import Hit


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class ScopeItem(BaseModel):
    """A document, or a span of one (a section's start and end from GET /api/guide/{doc})."""

    doc: str = Field(min_length=1)
    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=0)


MAX_HISTORY_TURNS = 40  # earlier turns a question may carry: /api/ask's limit, and what /v1 keeps of a conversation


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt "scope" (or a "k") is a 422, not a whole-notes answer

    question: str = Field(min_length=1, description="The question, in your own words.")
    history: list[Turn] = Field(
        default_factory=list, max_length=MAX_HISTORY_TURNS, description="Earlier turns, oldest first."
    )
    scope: list[ScopeItem | str] = Field(
        default_factory=list,
        max_length=50,
        description="Limit retrieval, abstention and citations to these documents or sections (empty: all): "
        "{doc} or {doc, start, end}, or a name as /api/search's scope takes it ('DOC' or 'DOC#Section title').",
    )


class SearchOut(BaseModel):
    hits: list[Hit]


class Highlight(BaseModel):
    start: int
    end: int


class SourceOut(BaseModel):
    doc: str
    kind: str
    text: str
    highlight: Highlight | None


class DocumentOut(BaseModel):
    doc: str
    sha256: str
    kind: str
    n_passages: int
    indexed_at: str
    deletable: bool
    warnings: list[str] = Field(default_factory=list)


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class IngestReportOut(BaseModel):
    generation: str
    files: int
    passages: int
    embedded: int
    removed: int
    skipped: list[list[str]]
    seconds: float


class PreviousUploadOut(BaseModel):
    bytes: int = Field(description="Size of the upload this one replaced.")
    sha256: str = Field(description="Its sha256 (equal to document.sha256: the same bytes were sent again).")


class UploadOut(BaseModel):
    document: DocumentOut
    report: IngestReportOut
    replaced: bool = Field(description="True when an upload of the same name was there and is now replaced.")
    previous: PreviousUploadOut | None = Field(description="The replaced upload (null when the name was new).")


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant"]  # "developer": newer clients' name for "system"
    content: str = Field(max_length=20_000)

    @field_validator("content", mode="before")
    @classmethod
    def text_of_parts(cls, content: object) -> object:
        """OpenAI clients may send content as parts ([{"type": "text", "text": ...}]): their text, joined."""
        if not isinstance(content, list):
            return content
        if not all(isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in content):
            raise ValueError("only text parts are supported ({'type': 'text', 'text': ...})")
        return "\n".join(p["text"] for p in content)


MODEL_ID = "notecite"  # the one model /v1/models lists; a request's `model` is echoed back whatever it names
MAX_STOP_CHARS = 64  # OpenAI's stop sequences are short: "\n\n", "###", "User:"


class ChatStreamOptions(BaseModel):
    include_usage: bool = False  # a last chunk with empty choices and the usage, as OpenAI sends it


class ChatCompletionRequest(BaseModel):
    model: str = MODEL_ID
    # a chat client resends the whole conversation each turn: a long one is taken (the body cap bounds its
    # size) and only its last turns are used, where a cap of 40 messages refused the 21st exchange
    messages: list[ChatMessage] = Field(min_length=1, max_length=2_000)
    stream: bool = False
    max_tokens: int | None = Field(
        None,
        ge=1,
        description="Most tokens the answer model may generate, at most the server's NOTECITE_ANSWER__MAX_NEW_TOKENS "
        "(finish_reason 'length' when it stopped there). The quoting writer (the default, NOTECITE_GENERATOR=none) "
        "generates no tokens: its answer is whole sentences of the notes, each cited to its exact characters, and is "
        "not shortened (a cut quote would cite characters it no longer holds).",
    )
    max_completion_tokens: int | None = Field(
        None, ge=1, description="Newer OpenAI clients' name for max_tokens; the smaller of the two applies."
    )
    # each stop is bounded: the answer model's stream holds back a tail that could grow into one, testing each
    # of its prefixes per token (4 stops of 40,000 characters took 1.9 s for 10 tokens)
    stop: list[Annotated[str, Field(max_length=MAX_STOP_CHARS)]] | None = Field(
        None,
        max_length=4,
        description=f"Up to 4 strings of at most {MAX_STOP_CHARS} characters (or one string): the answer model's "
        "text ends before the first it writes. Quotes of the notes are not cut.",
    )
    temperature: float | None = Field(
        None,
        ge=0,
        le=2,
        description="Accepted (0 to 2) and not applied: answers are greedy, so a question asked again gets the same "
        "cited answer; the quoting writer does not sample at all.",
    )
    n: int = Field(1, ge=1, le=1, description="Choices to return: notecite writes one answer, so only 1.")
    stream_options: ChatStreamOptions | None = None

    @field_validator("stop", mode="before")
    @classmethod
    def one_stop_string(cls, stop: object) -> object:
        """OpenAI takes `stop` as one string or a list of them."""
        return [stop] if isinstance(stop, str) else stop

    def token_limit(self) -> int | None:
        given = [t for t in (self.max_tokens, self.max_completion_tokens) if t is not None]
        return min(given) if given else None
