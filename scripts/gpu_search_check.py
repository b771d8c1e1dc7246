"""Exact dense search on a GPU through torch against FAISS's exact CPU search: same top-10, and how fast.

Run where a GPU is lent (`python3 scripts/gpu_search_check.py --data .gpu --out OUT`); it runs on a CPU too
(`--n 20000`) to check the script itself. Inputs: the seed notes' passage vectors and dev-question vectors
(`notes_vectors.npy`, `notes_queries.npy`, made by `notecite bench retrieval`'s embedder), and N synthetic
L2-normalized vectors made here from a fixed seed. Writes gpu_search.json.

Why torch and not faiss-gpu: the lent machine has CUDA 13 only; faiss-gpu-cu12 1.14.1.post1 (48 MB) needs
libcublas.so.12 from nvidia-cublas-cu12 (581 MB wheel) and the cu12 runtime, far over the 64 MiB a run can
carry, and no faiss-gpu wheel is built for CUDA 13. An exact inner-product top-k is one matrix product and
a top-k, which torch runs on the GPU with TF32 off (full fp32, like FAISS's IndexFlatIP).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import faiss
import numpy as np
import torch

K = 10


def synthetic(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def faiss_topk(base: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    index = faiss.IndexFlatIP(base.shape[1])
    index.add(base)
    t0 = time.perf_counter()
    scores, ids = index.search(queries, K)
    batch_s = time.perf_counter() - t0
    single = []
    for q in queries[: min(50, len(queries))]:
        t0 = time.perf_counter()
        index.search(q[None, :], K)
        single.append((time.perf_counter() - t0) * 1000)
    return (
        ids,
        scores,
        {"batch_qps": round(len(queries) / batch_s, 1), "single_p50_ms": round(statistics.median(single), 3)},
    )


def torch_topk(
    base: np.ndarray, queries: np.ndarray, device: str, half: bool = False
) -> tuple[np.ndarray, np.ndarray, dict]:
    torch.backends.cuda.matmul.allow_tf32 = False
    dtype = torch.float16 if half else torch.float32
    b = torch.from_numpy(base).to(device, dtype)
    q = torch.from_numpy(queries).to(device, dtype)

    def search(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out_s, out_i = [], []
        for start in range(0, len(x), 256):  # bounded score matrix: 256 x N
            s, i = torch.topk(x[start : start + 256] @ b.T, K, dim=1)
            out_s.append(s)
            out_i.append(i)
        return torch.cat(out_s).float(), torch.cat(out_i)

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    search(q[:4])
    sync()
    t0 = time.perf_counter()
    scores, ids = search(q)
    sync()
    batch_s = time.perf_counter() - t0
    single = []
    for row in range(min(50, len(q))):
        t0 = time.perf_counter()
        search(q[row : row + 1])
        sync()
        single.append((time.perf_counter() - t0) * 1000)
    stats = {"batch_qps": round(len(q) / batch_s, 1), "single_p50_ms": round(statistics.median(single), 3)}
    return ids.cpu().numpy(), scores.cpu().numpy(), stats


def compare(name: str, base: np.ndarray, queries: np.ndarray, device: str) -> dict:
    ref_ids, ref_scores, ref_stats = faiss_topk(base, queries)
    row: dict = {"set": name, "n": int(base.shape[0]), "queries": int(len(queries)), "faiss_cpu": ref_stats}
    for label, half in (("torch_" + device, False), ("torch_" + device + "_fp16", True)):
        ids, scores, stats = torch_topk(base, queries, device, half)
        same = [list(a) == list(b) for a, b in zip(ids, ref_ids, strict=True)]
        overlap = [len(set(a) & set(b)) / K for a, b in zip(ids, ref_ids, strict=True)]
        # a differing order is only acceptable between scores equal within float32 rounding
        tie_only = [
            s or np.allclose(np.sort(sc), np.sort(rs), atol=1e-5)
            for s, sc, rs in zip(same, scores, ref_scores, strict=True)
        ]
        row[label] = {
            **stats,
            "identical_top10_share": round(float(np.mean(same)), 4),
            "top10_overlap": round(float(np.mean(overlap)), 4),
            "differences_only_ties": bool(all(tie_only)),
            "max_abs_score_diff": float(np.abs(scores - ref_scores).max()),
            "speedup_vs_faiss_cpu_batch": round(stats["batch_qps"] / ref_stats["batch_qps"], 1),
        }
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path(".gpu"))
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    faiss.omp_set_num_threads(max(1, (faiss.omp_get_max_threads())))
    notes = np.load(args.data / "notes_vectors.npy")
    rows = [compare("seed notes", notes, np.load(args.data / "notes_queries.npy"), device)]
    base = synthetic(args.n, notes.shape[1], 0)
    rows.append(compare(f"synthetic {args.n}", base, synthetic(args.queries, notes.shape[1], 1), device))
    report = {
        "benchmark": "gpu exact search: torch vs FAISS CPU (IndexFlatIP)",
        "device": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu",
        "torch": torch.__version__,
        "faiss": faiss.__version__,
        "cpu_threads": faiss.omp_get_max_threads(),
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_search.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
