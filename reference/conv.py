"""2D convolution and pooling on (N, C, H, W) arrays, written as loops over the kernel taps.

Looping over the kh * kw kernel positions (not over output pixels) keeps each step one vectorised
slice-and-multiply, which is clear and fast enough for reference use.
"""

from __future__ import annotations

import numpy as np


def conv_output_size(n: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length along one axis: floor((n + 2p - d (k - 1) - 1) / s) + 1.

    A dilated kernel spans d (k - 1) + 1 input pixels; with d = s = 1 this is n + 2p - k + 1.

    Notes: 001 "CNN why add padding" — "New image after = n+2p-f+1"

    >>> conv_output_size(32, 3), conv_output_size(32, 3, padding=1), conv_output_size(32, 3, stride=2)
    (30, 32, 15)
    >>> conv_output_size(32, 3, dilation=2)
    28
    """
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> np.ndarray:
    """Cross-correlate x (N, C, H, W) with weight (F, C, kh, kw); returns (N, F, Ho, Wo).

    Like every deep-learning library this is cross-correlation (the kernel is not flipped). For
    each kernel tap (i, j) the input pixels it touches at every output position form one strided
    slice, so the output is a sum of kh * kw channel-mixing products.

    Notes: 001 "CNN" — "the kernel slides across the height and width of the image"

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 2, 2))                          # sums each 2 x 2 window
    >>> conv2d(x, w, stride=2)[0, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    n, c, h, w_in = x.shape
    f, c_w, kh, kw = weight.shape
    if c != c_w:
        raise ValueError(f"input has {c} channels but the kernel expects {c_w}")
    h_out = conv_output_size(h, kh, padding, stride, dilation)
    w_out = conv_output_size(w_in, kw, padding, stride, dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))  # zero padding
    out = np.zeros((n, f, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            top, left = i * dilation, j * dilation
            rows = slice(top, top + stride * (h_out - 1) + 1, stride)
            cols = slice(left, left + stride * (w_out - 1) + 1, stride)
            window = xp[:, :, rows, cols]  # (N, C, Ho, Wo): the pixel under tap (i, j) at every output
            out += np.einsum("nchw,fc->nfhw", window, weight[:, :, i, j])
    if bias is not None:
        out += bias.reshape(1, f, 1, 1)
    return out


def max_pool2d(x: np.ndarray, kernel: int, stride: int | None = None, padding: int = 0) -> np.ndarray:
    """Largest value in each kernel x kernel window of each channel; x is (N, C, H, W).

    Padding is -inf so that a padded border can never win the max. ``stride`` defaults to
    ``kernel`` (non-overlapping windows).

    Notes: 001 "CNN" — "deriving a summary statistic of the nearby outputs"

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    stride = kernel if stride is None else stride
    h_out = conv_output_size(x.shape[2], kernel, padding, stride)
    w_out = conv_output_size(x.shape[3], kernel, padding, stride)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    out = np.full((*x.shape[:2], h_out, w_out), -np.inf)
    for i in range(kernel):
        for j in range(kernel):
            rows = slice(i, i + stride * (h_out - 1) + 1, stride)
            cols = slice(j, j + stride * (w_out - 1) + 1, stride)
            out = np.maximum(out, xp[:, :, rows, cols])  # (N, C, Ho, Wo)
    return out


def avg_pool2d(x: np.ndarray, kernel: int, stride: int | None = None, padding: int = 0) -> np.ndarray:
    """Mean of each kernel x kernel window of each channel; x is (N, C, H, W).

    Padded zeros count in the mean (every window divides by kernel^2), which matches PyTorch's
    default ``count_include_pad=True``.

    Notes: 001 "CNN" — "reducing the spatial size of the representation"

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> avg_pool2d(x, 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    stride = kernel if stride is None else stride
    h_out = conv_output_size(x.shape[2], kernel, padding, stride)
    w_out = conv_output_size(x.shape[3], kernel, padding, stride)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    total = np.zeros((*x.shape[:2], h_out, w_out))
    for i in range(kernel):
        for j in range(kernel):
            rows = slice(i, i + stride * (h_out - 1) + 1, stride)
            cols = slice(j, j + stride * (w_out - 1) + 1, stride)
            total += xp[:, :, rows, cols]  # (N, C, Ho, Wo)
    return total / kernel**2
