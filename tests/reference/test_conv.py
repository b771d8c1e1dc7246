"""reference.conv against torch's conv2d, max_pool2d and avg_pool2d."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.conv import avg_pool2d, conv2d, conv_output_size, max_pool2d

# (N, C, H, W, F, kh, kw, stride, padding, dilation, bias)
CONV_CASES = [
    (1, 1, 5, 5, 1, 3, 3, 1, 0, 1, False),
    (2, 3, 8, 8, 4, 3, 3, 1, 1, 1, True),
    (2, 3, 9, 7, 2, 3, 2, 2, 1, 1, True),
    (1, 2, 10, 10, 3, 3, 3, 1, 2, 2, False),
    (3, 4, 11, 9, 5, 2, 3, 3, 0, 2, True),
    (1, 3, 6, 6, 2, 1, 1, 1, 0, 1, True),  # 1 x 1 convolution mixes channels only
]


@pytest.mark.parametrize(("n", "c", "h", "w", "f", "kh", "kw", "stride", "padding", "dilation", "bias"), CONV_CASES)
def test_conv2d_matches_torch(
    n: int,
    c: int,
    h: int,
    w: int,
    f: int,
    kh: int,
    kw: int,
    stride: int,
    padding: int,
    dilation: int,
    bias: bool,
) -> None:
    rng = np.random.default_rng(0)
    x, weight = rng.normal(size=(n, c, h, w)), rng.normal(size=(f, c, kh, kw))
    b = rng.normal(size=f) if bias else None
    expected = F.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(weight),
        None if b is None else torch.from_numpy(b),
        stride=stride,
        padding=padding,
        dilation=dilation,
    ).numpy()
    got = conv2d(x, weight, b, stride=stride, padding=padding, dilation=dilation)
    assert got.shape == expected.shape
    assert (
        conv_output_size(h, kh, padding, stride, dilation),
        conv_output_size(w, kw, padding, stride, dilation),
    ) == (expected.shape[2:])
    assert np.allclose(got, expected)


def test_conv2d_rejects_channel_mismatch() -> None:
    with pytest.raises(ValueError, match="channels"):
        conv2d(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 2, 2)))


# (shape, kernel, stride, padding)
POOL_CASES = [
    ((1, 1, 4, 4), 2, None, 0),
    ((2, 3, 7, 7), 3, 2, 1),
    ((2, 2, 8, 6), 2, 1, 0),
    ((1, 3, 9, 9), 3, 3, 1),
    ((1, 1, 5, 5), 4, 2, 2),
]


@pytest.mark.parametrize(("shape", "kernel", "stride", "padding"), POOL_CASES)
def test_pooling_matches_torch(shape: tuple[int, ...], kernel: int, stride: int | None, padding: int) -> None:
    x = np.random.default_rng(1).normal(size=shape) - 5.0  # all negative: a zero-padded max would be wrong
    tx = torch.from_numpy(x)
    expected_max = F.max_pool2d(tx, kernel, stride, padding).numpy()
    expected_avg = F.avg_pool2d(tx, kernel, stride, padding).numpy()
    assert np.allclose(max_pool2d(x, kernel, stride, padding), expected_max)
    assert np.allclose(avg_pool2d(x, kernel, stride, padding), expected_avg)
