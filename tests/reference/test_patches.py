"""reference.patches against patches cut out with explicit loops."""

from __future__ import annotations

import numpy as np
import pytest

from reference.patches import extract_patches

# (image shape, patch size, stride)
CASES = [
    ((8, 8), 4, None),
    ((9, 7), 3, 2),
    ((6, 6), 2, 1),
    ((8, 8, 3), 4, None),
    ((10, 12, 3), 3, 2),
    ((5, 5, 4), 5, 1),
]


def loop_patches(image: np.ndarray, size: int, stride: int) -> np.ndarray:
    rows = []
    for top in range(0, image.shape[0] - size + 1, stride):
        row = [image[top : top + size, left : left + size] for left in range(0, image.shape[1] - size + 1, stride)]
        rows.append(row)
    return np.array(rows)


@pytest.mark.parametrize(("shape", "size", "stride"), CASES)
def test_matches_loops(shape: tuple[int, ...], size: int, stride: int | None) -> None:
    image = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    got = extract_patches(image, size, stride)
    assert np.array_equal(got, loop_patches(image, size, stride or size))
    assert np.shares_memory(got, image)  # a view, not a copy


def test_non_contiguous_image() -> None:
    image = np.arange(48).reshape(6, 8).T  # (8, 6), column-major memory
    assert np.array_equal(extract_patches(image, 2, 2), loop_patches(image, 2, 2))


def test_view_is_read_only_and_rejects_oversized_patch() -> None:
    with pytest.raises(ValueError):
        extract_patches(np.zeros((4, 4)), 2)[0, 0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="larger"):
        extract_patches(np.zeros((3, 3)), 4)
