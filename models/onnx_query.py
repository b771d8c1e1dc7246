"""One query through onnxruntime: the embedder's own weights, exported once with torch.onnx into the cache.

A query is about ten tokens, and torch's eager forward spends most of its time around the arithmetic, not
in it: on this 2-core CPU one query took 17 ms of CPU through the torch path (models.fast_embed, one
thread) and 7 ms through onnxruntime (one thread, all graph optimizations) on the same weights, cosine
1.0 against SentenceTransformer.encode. For batches of passages onnxruntime was no faster per CPU-second
(docs/SCALE.md), so passages stay on the torch path and only a single text comes here.

The exported graph is the transformer, mean pooling and L2 normalization of one unpadded text (input ids
only: its attention mask is all ones, its token types all zeros), so no padding ever reaches it.
It is written once per set of weights (a digest of them names its folder, so a changed model never meets
an old export), atomically (a folder renamed into place), with the weights as external data: onnxruntime
maps that file rather than copying it (a session alone: RSS +53 MB, +108 MB with the weights inside the
graph file), and the page cache shares it between workers. An export that does not load is made again.
Whether its vectors equal encode()'s is checked at load by `models.embedder`, which keeps the torch path
otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # part of the file's digest: a change to `SingleText` or the export makes a new file
OPSET = 17
GRAPH, WEIGHTS = "model.onnx", "model.onnx.data"  # the files of one export folder


def _torch_module(model: Any) -> Any:
    import torch

    class SingleText(torch.nn.Module):
        """The transformer, mean pooling and normalization of one text without padding: what is exported."""

        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state  # (1, T, dim)
            return torch.nn.functional.normalize(tokens.mean(1), dim=-1)

    return SingleText(model[0].auto_model).eval()


def weights_digest(model: Any) -> str:
    """What the exported file is named by: the weights themselves, torch's version and this export's."""
    import torch

    digest = hashlib.blake2b(digest_size=12)
    digest.update(f"v{EXPORT_VERSION} opset{OPSET} torch{torch.__version__}".encode())
    for name, tensor in model[0].auto_model.state_dict().items():
        digest.update(name.encode())
        digest.update(memoryview(np.ascontiguousarray(tensor.detach().cpu().numpy())).cast("B"))
    return digest.hexdigest()


def export(model: Any, folder: Path) -> None:
    """Write the ONNX graph of `model` (a SentenceTransformer) and its weights into `folder`, atomically:
    made beside it under another name and renamed; another process that got there first wins."""
    import onnx
    import torch

    module = _torch_module(model)
    example = torch.tensor([[101, 2054, 2515, 102]])  # any ids: the token axis is dynamic
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notes
            torch.onnx.export(
                module,
                (example,),
                str(tmp / "inline.onnx"),
                dynamo=False,  # the TorchScript exporter: needs onnx, not onnxscript
                input_names=["input_ids"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": {1: "tokens"}},
                opset_version=OPSET,
            )
        graph = onnx.load(str(tmp / "inline.onnx"))
        onnx.save_model(graph, str(tmp / GRAPH), save_as_external_data=True, location=WEIGHTS, size_threshold=1024)
        (tmp / "inline.onnx").unlink()
        tmp.chmod(0o755)
        for file in tmp.iterdir():
            file.chmod(0o644)
        try:
            tmp.rename(folder)
        except OSError:  # made meanwhile by another process
            if not (folder / GRAPH).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class OnnxQuery:
    """Embeds one text at a time with an onnxruntime session on one thread."""

    def __init__(self, session: Any, tokenizer: Any, max_length: int, file: Path) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.file = file

    def embed(self, text: str) -> np.ndarray:
        """(1, dim) float32, L2-normalized."""
        ids = self.tokenizer([text], truncation=True, max_length=self.max_length, return_tensors="np")["input_ids"]
        return self.session.run(None, {"input_ids": ids.astype(np.int64)})[0].astype(np.float32, copy=False)


def session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # one thread: a query on 2 threads waited at barriers whenever another process held a core
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load(model: Any, cache_dir: Path, name: str) -> OnnxQuery:
    """The query path for `model`: its export under `cache_dir` (made now when absent or unreadable).
    Raises ImportError without onnxruntime (or without onnx when an export is needed)."""
    import onnxruntime  # noqa: F401 - fail before exporting anything

    stem = name.replace("/", "_")
    folder = cache_dir / f"{stem}-{weights_digest(model)}"
    if not folder.exists():
        export(model, folder)
        for stale in cache_dir.glob(f"{stem}-*"):  # exports of other weights or of another torch
            if stale != folder and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
    try:
        sess = session(folder / GRAPH)
    except Exception:  # noqa: BLE001 - a damaged or partial export: made again, once
        log.warning("onnx query model %s did not load; exporting it again", folder, exc_info=True)
        shutil.rmtree(folder, ignore_errors=True)
        export(model, folder)
        sess = session(folder / GRAPH)
    transformer = model[0]
    return OnnxQuery(sess, transformer.tokenizer, int(transformer.max_seq_length), folder)
