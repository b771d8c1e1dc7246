"""key_stems: the topic words both sides of a match are read by (ingest's term counts, the question's key terms)."""

from __future__ import annotations

import pytest

from core.terms import key_stems


@pytest.mark.parametrize(
    ("text", "stems"),
    [
        ("UnetGenerator: Convolution", {"unetgenerator", "unet", "generator", "convolution"}),
        ("BatchNorm layers", {"batchnorm", "batch", "norm", "lay"}),
        # a part under 4 letters keeps the name whole: "ResNet" is no "net", "iPhone" no "phone"
        ("ResNet and LoRA and ReLU", {"resnet", "lora", "relu"}),
        ("iPhone", {"iphon"}),
        ("numLayers", {"numlay"}),  # a part under 4 letters: whole
        ("what is the unet generator?", {"unet", "generator"}),
    ],
)
def test_a_camel_case_name_also_names_its_parts(text: str, stems: set[str]) -> None:
    assert key_stems(text) == stems
