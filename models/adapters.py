"""Where LoRA adapters live: versioned folders under models/adapters/, one of them the default.

models/adapters/default.json maps a base model key to the folder the service loads for
adapter="default"; `notecite finetune --promote` rewrites it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from models.errors import ModelNotFound

ADAPTERS_DIR = Path(__file__).resolve().parent / "adapters"
DEFAULTS_FILE = ADAPTERS_DIR / "default.json"
GGUF_NAME = "adapter.gguf"


def _defaults(root: Path) -> dict[str, str]:
    path = root / "default.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def resolve_adapter(name: str | None, base_model: str, root: Path = ADAPTERS_DIR) -> Path | None:
    """Folder of a peft adapter: None (bare base), 'default', a folder name under root, or a path."""
    if name is None:
        return None
    if name == "default":
        folder = _defaults(root).get(base_model)
        if folder is None:
            raise ModelNotFound(
                f"no default adapter for {base_model!r} in {root / 'default.json'}: "
                f"run `notecite finetune --base-model {base_model} --promote`, or pass adapter=None"
            )
        name = folder
    path = Path(name) if Path(name).is_absolute() or Path(name).exists() else root / name
    if not (path / "adapter_config.json").is_file():
        raise ModelNotFound(f"adapter {name!r} not found at {path}: train one with `notecite finetune`")
    return path


def next_version_dir(base_model: str, root: Path = ADAPTERS_DIR) -> Path:
    """models/adapters/<base>-v<N+1>: versions are never overwritten."""
    pattern = re.compile(rf"^{re.escape(base_model)}-v(\d+)$")
    versions = [int(m.group(1)) for p in root.glob(f"{base_model}-v*") if (m := pattern.match(p.name))]
    return root / f"{base_model}-v{max(versions, default=0) + 1}"


def promote(adapter_dir: Path, base_model: str, root: Path = ADAPTERS_DIR) -> None:
    """Make `adapter_dir` the default adapter of `base_model`."""
    defaults = _defaults(root)
    defaults[base_model] = adapter_dir.name
    (root / "default.json").write_text(json.dumps(defaults, indent=2, sort_keys=True) + "\n")


def gguf_adapter(adapter_dir: Path, base_gguf: Path) -> Path:
    """The llama.cpp form of a peft adapter, converted on first use and whenever the weights change."""
    from models.gguf_lora import convert_lora, converted_from
    from models.registry import sha256_file

    out = adapter_dir / GGUF_NAME
    weights = adapter_dir / "adapter_model.safetensors"
    if not out.is_file() or converted_from(out) != sha256_file(weights):
        tmp = out.with_suffix(".tmp")
        convert_lora(adapter_dir, base_gguf, tmp)
        tmp.replace(out)
    return out
