"""Convert a peft LoRA adapter (safetensors) into a GGUF LoRA adapter that llama.cpp loads.

llama.cpp's converter reorders the rows of the q and k projections so that rotary pairs sit next to
each other, and transformers undoes that when it loads a GGUF. A LoRA trained on the transformers
model therefore needs the same reordering of the rows of B for q and k (rows of W = B @ A are rows of
B); A, v, o and the MLP are untouched. Skipping it still produces fluent text, so only a logit
comparison (tests/models/test_gguf_lora.py) catches the mistake.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from models.registry import sha256_file

# which peft weights a GGUF adapter was converted from, so a stale conversion is redone
SOURCE_KEY = "notecite.adapter_sha256"

# peft module name -> llama.cpp tensor name inside a block
GGUF_NAMES = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
_KEY = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")


def rotary_permute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """Reorder each head's rows from halves [x0..x_{d/2-1}, y0..] to pairs [x0, y0, x1, y1, ...]."""
    out_dim = rows.shape[0]
    head_dim = out_dim // n_head
    if head_dim * n_head != out_dim or head_dim % 2:
        raise ValueError(f"{out_dim} rows do not split into {n_head} heads of even size")
    # (n_head, 2, head_dim/2, cols) -> (n_head, head_dim/2, 2, cols)
    return rows.reshape(n_head, 2, head_dim // 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def _head_counts(base_gguf: Path) -> tuple[str, int, int]:
    from gguf import GGUFReader

    reader = GGUFReader(str(base_gguf))

    def field(name: str):
        f = reader.get_field(name)
        if f is None:
            raise ValueError(f"{base_gguf} has no {name}")
        return f.contents()

    arch = field("general.architecture")
    n_head = int(field(f"{arch}.attention.head_count"))
    kv = reader.get_field(f"{arch}.attention.head_count_kv")
    return arch, n_head, int(kv.contents()) if kv is not None else n_head


def converted_from(adapter_gguf: Path) -> str | None:
    """The sha256 of the safetensors an adapter GGUF was made from (None if unknown)."""
    from gguf import GGUFReader

    field = GGUFReader(str(adapter_gguf)).get_field(SOURCE_KEY)
    return None if field is None else str(field.contents())


def convert_lora(
    adapter_dir: Path, base_gguf: Path, out_path: Path, *, dtype: str = "f32", permute: bool = True
) -> Path:
    """Write `out_path` (GGUF LoRA) from the peft adapter in `adapter_dir`; returns out_path.

    permute=False exists only so the agreement test can show what the permutation is for.
    """
    import gguf
    from safetensors.numpy import load_file

    config = json.loads((adapter_dir / "adapter_config.json").read_text())
    if config.get("use_rslora") or config.get("use_dora"):
        raise ValueError("rsLoRA/DoRA scaling has no GGUF LoRA equivalent; train a plain LoRA")
    arch, n_head, n_head_kv = _head_counts(base_gguf)
    permute = permute and arch == "llama"  # gemma's converter keeps the HF row order
    np_dtype = {"f16": np.float16, "f32": np.float32}[dtype]

    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    writer = gguf.GGUFWriter(str(out_path), arch=arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(config["lora_alpha"]))
    writer.add_string(SOURCE_KEY, sha256_file(adapter_dir / "adapter_model.safetensors"))
    n_written = 0
    for key in sorted(weights):
        match = _KEY.search(key)
        if match is None:
            raise ValueError(f"unexpected tensor {key!r} in {adapter_dir}: only LoRA A/B of {sorted(GGUF_NAMES)}")
        layer, module, ab = match.groups()
        if module not in GGUF_NAMES:
            raise ValueError(f"no llama.cpp tensor for LoRA target {module!r}")
        tensor = weights[key].astype(np.float32)  # A: (r, in), B: (out, r), as peft stores them
        if permute and ab == "B" and module in ("q_proj", "k_proj"):
            tensor = rotary_permute(tensor, n_head if module == "q_proj" else n_head_kv)
        writer.add_tensor(f"blk.{layer}.{GGUF_NAMES[module]}.weight.lora_{ab.lower()}", tensor.astype(np_dtype))
        n_written += 1
    if n_written == 0:
        raise ValueError(f"{adapter_dir} holds no LoRA tensors")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out_path


def merge_lora(model_gguf: Path, adapter_gguf: Path, scale: float = 1.0) -> int:
    """Add scale * alpha/r * B @ A to the f16 weights of model_gguf, in place; returns the tensors changed.

    The result computes what llama.cpp computes with the adapter applied at run time, without the two
    extra matmuls per weight (the f16 prompt copy uses it; 4-bit weights are never rewritten).
    """
    from gguf import GGMLQuantizationType, GGUFReader

    adapter = GGUFReader(str(adapter_gguf))
    alpha = float(adapter.get_field("adapter.lora.alpha").contents())
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for tensor in adapter.tensors:
        name, part = tensor.name.rsplit(".", 1)  # "blk.0.attn_q.weight", "lora_a"
        pairs.setdefault(name, {})[part] = np.asarray(tensor.data, dtype=np.float32)
    model = GGUFReader(str(model_gguf), mode="r+")
    weights = {t.name: t for t in model.tensors}
    for name, ab in pairs.items():
        if name not in weights or weights[name].tensor_type != GGMLQuantizationType.F16:
            raise ValueError(f"{model_gguf} has no f16 tensor {name} to merge the adapter into")
        a, b = ab["lora_a"], ab["lora_b"]  # (r, n_in) and (n_out, r), as GGUF stores them
        w = weights[name].data
        w[...] = (w.astype(np.float32) + (b @ a) * (alpha / a.shape[0] * scale)).astype(np.float16)
    model.data.flush()
    return len(pairs)
