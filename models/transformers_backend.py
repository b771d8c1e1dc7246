"""transformers backend: fp32 from the dequantized GGUF on CPU, bitsandbytes 4-bit on CUDA.

Also the loader fine-tuning uses, so training and serving see the same weights and tokenizer.
"""

from __future__ import annotations

import copy
from collections.abc import Generator
from functools import lru_cache
from pathlib import Path

from core.settings import DEFAULT_CACHE_DIR
from models.generator import Finish
from models.registry import get_model, gguf_path


@lru_cache
def is_cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


@lru_cache
def is_bnb_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("bitsandbytes") is not None


def load_tokenizer(base_model: str):
    from transformers import AutoTokenizer

    path = gguf_path(base_model)
    return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


@lru_cache(maxsize=1)
def _dequantized(base_model: str):
    import torch
    from transformers import AutoModelForCausalLM

    path = gguf_path(base_model)
    return AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)


def load_base(base_model: str, *, load_in_4bit: bool = False, cache_dir: Path = DEFAULT_CACHE_DIR):
    """A fresh transformers model (callers may wrap it with peft). 4-bit needs CUDA and bitsandbytes."""
    import torch
    from transformers import AutoModelForCausalLM

    path = gguf_path(base_model)
    if not load_in_4bit:
        # dequantizing the GGUF takes ~20 s; a deep copy of the cached fp32 model takes well under one
        return copy.deepcopy(_dequantized(base_model)).eval()
    from transformers import BitsAndBytesConfig

    # transformers cannot quantize while dequantizing a GGUF: go through a one-off safetensors copy
    hf_dir = cache_dir / "hf" / f"{get_model(base_model).key}-{path.stat().st_size}"
    if not (hf_dir / "config.json").is_file():
        # a GGUF-loaded model refuses save_pretrained (it is marked GGUF-quantized): copy into a plain one
        full = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.bfloat16)
        config = full.config
        if hasattr(config, "quantization_config"):
            delattr(config, "quantization_config")
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
        plain.load_state_dict(full.state_dict())
        plain.save_pretrained(hf_dir)
        load_tokenizer(base_model).save_pretrained(hf_dir)
    quant = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
        bnb_4bit_use_double_quant=True,
    )
    return AutoModelForCausalLM.from_pretrained(hf_dir, quantization_config=quant, device_map={"": 0}).eval()


class TransformersBackend:
    def __init__(
        self,
        base_model: str,
        adapter_dir: Path | None,
        *,
        threads: int | None = None,
        cache_dir: Path = DEFAULT_CACHE_DIR,
    ) -> None:
        import torch

        if threads:
            torch.set_num_threads(threads)
        four_bit = is_cuda_available() and is_bnb_available()
        self.tokenizer = load_tokenizer(base_model)
        model = load_base(base_model, load_in_4bit=four_bit, cache_dir=cache_dir)
        if adapter_dir is not None:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(adapter_dir))
            if not four_bit:
                model = model.merge_and_unload()  # same function, one matmul per layer instead of three
        if not four_bit and is_cuda_available():
            model = model.to("cuda")  # a GPU without bitsandbytes still serves, in fp32
        self.model = model.eval()
        self.device = next(self.model.parameters()).device
        self.end_ids = {self.tokenizer.eos_token_id, self.tokenizer.convert_tokens_to_ids("<|im_end|>")}

    def count_tokens(self, prompt: str) -> int:
        return len(self.tokenizer(prompt, add_special_tokens=False).input_ids)

    def count_answer_tokens(self, text: str) -> int:
        return self.count_tokens(text)  # the prompt is counted without added tokens too

    def pieces(self, prompt: str, max_tokens: int) -> Generator[str, None, Finish]:
        import torch

        ids = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids.to(self.device)
        past, produced, text = None, [], ""
        with torch.inference_mode():
            for _ in range(max_tokens):
                out = self.model(input_ids=ids, past_key_values=past, use_cache=True)
                past = out.past_key_values
                token = int(out.logits[0, -1].argmax())
                if token in self.end_ids:
                    break
                produced.append(token)
                # decode the whole answer so multi-byte characters split over tokens come out whole
                full = self.tokenizer.decode(produced, skip_special_tokens=True)
                if not full.endswith("\ufffd"):
                    yield full[len(text) :]
                    text = full
                ids = torch.tensor([[token]], device=self.device)
        return Finish(len(produced), "length" if len(produced) >= max_tokens else "stop")
