"""The answer model behind an OpenAI-compatible HTTP server (vLLM, llama.cpp's server, Ollama, TGI).

The server gets the same rendered ChatML prompt the in-process backends decode, on `/completions`
with greedy sampling, so a server holding the same weights writes the same answer and the pipeline,
citations and guard above it do not change. Tokens stream back as Server-Sent Events. A server that is
down, refuses, or stays silent past the read timeout raises GenerationError, which the service answers
with 503 and the message (never a hang).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator

import httpx

from core.settings import OpenAISettings
from models.errors import GenerationError
from models.generator import Finish
from models.prompts import END_OF_TURN

log = logging.getLogger(__name__)

# the servers' token-count endpoints (path, the body's key for the text): llama.cpp's, then vLLM's
TOKENIZE_ENDPOINTS = (("/extras/tokenize", "input"), ("/tokenize", "prompt"))


def estimated_tokens(text: str) -> int:
    """An estimate of the tokens `text` takes, for a server that counts nothing for us: 1.3 a word."""
    return round(len(text.split()) * 1.3)


class OpenAIBackend:
    """Backend (models.generator) over `POST {base_url}/completions` with `stream: true`."""

    def __init__(self, config: OpenAISettings) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        timeout = httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s)
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self._no_endpoint: set[str] = set()  # the TOKENIZE_ENDPOINTS paths this server answered 404 for

    def _failure(self, exc: Exception) -> GenerationError:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            why = "is not reachable (is it running?)"
        elif isinstance(exc, httpx.TimeoutException):
            why = f"sent nothing for {self.config.read_timeout_s:g} s (NOTECITE_OPENAI__READ_TIMEOUT_S)"
        elif isinstance(exc, httpx.HTTPStatusError):
            why = f"answered HTTP {exc.response.status_code}: {exc.response.text[:200]}"
        else:
            why = f"failed: {exc}"
        error = GenerationError(f"the answer model server at {self.base_url} {why}")
        error.__cause__ = exc
        return error

    def pieces(self, prompt: str, max_tokens: int) -> Generator[str, None, Finish]:
        body = {
            "model": self.config.model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
            "stop": [END_OF_TURN],
        }
        try:
            with self._http.stream("POST", "/completions", json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    response.raise_for_status()
                chunks, reason = 0, "stop"
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line.removeprefix("data:").strip()
                    if data == "[DONE]":
                        break
                    choices = json.loads(data).get("choices") or [{}]
                    reason = "length" if choices[0].get("finish_reason") == "length" else reason
                    if text := choices[0].get("text"):
                        chunks += 1  # llama.cpp's server and vLLM stream a token a chunk
                        yield text
                return Finish(chunks, reason)
        except httpx.HTTPError as exc:
            raise self._failure(exc) from exc

    def count_tokens(self, prompt: str) -> int:
        """The server's own count when it offers one (llama.cpp `/extras/tokenize`, vLLM `/tokenize`), else words.
        An endpoint that answered 404 is not asked again by this backend: a server without one would otherwise
        cost a round trip per count. A server that fails to answer raises GenerationError."""
        root = self.base_url.removesuffix("/v1")
        for path, key in TOKENIZE_ENDPOINTS:
            if path in self._no_endpoint:
                continue
            try:
                response = self._http.post(root + path, json={key: prompt, "model": self.config.model})
            except httpx.HTTPError as exc:
                raise self._failure(exc) from exc
            if response.status_code == 200:
                try:
                    body = response.json()
                    return int(body.get("count") or len(body.get("tokens", [])))
                except (ValueError, TypeError, AttributeError):  # a 200 that holds no count: another kind of page
                    continue
            if response.status_code == 404:
                self._no_endpoint.add(path)
        return estimated_tokens(prompt)

    def count_answer_tokens(self, text: str) -> int:
        """As `count_tokens` (a server whose tokenizer adds a BOS counts one more than the answer holds), but the
        estimate when the server fails to count: the answer was already streamed, and a usage count is not worth
        failing it for."""
        try:
            return self.count_tokens(text)
        except GenerationError as exc:
            log.warning("counting the answer's tokens: %s; using an estimate", exc)
            return estimated_tokens(text)

    def close(self) -> None:
        self._http.close()
