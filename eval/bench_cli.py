"""`notecite bench ingest|retrieval|load`: each writes a JSON report and a Markdown table beside it."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from core.settings import get_settings

REPORTS = Path("reports/bench")


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg": os.getloadavg()[0]}


def write_report(out: Path, report: dict[str, Any], markdown: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    out.with_suffix(".md").write_text(markdown)
    typer.echo(markdown)
    typer.echo(f"report: {out} and {out.with_suffix('.md')}")


def table(rows: list[list[Any]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def bench_ingest(
    corpus: list[Path] = typer.Option(None, "--corpus", help="Folders to ingest (default: the notes dir)."),
    max_files: int = typer.Option(1200, help="At most this many files per corpus."),
    repeats: int = typer.Option(3, min=1, help="Runs of each embedding path (alternating; medians)."),
    out: Path = typer.Option(REPORTS / "ingest.json", help="JSON report; the .md goes beside it."),
) -> None:
    """Passages/s and MB/s of a cold ingest, split into parse, chunk, embed, sentence windows and index; our
    embedding vs SentenceTransformer.encode."""
    from eval.ingest_bench import embedding_paths, stages
    from ingest.pipeline import ingest_options
    from models.embedder import embedder_for

    settings = get_settings()
    embedder = embedder_for(settings)
    corpora = corpus or [settings.notes_dir]
    runs = []
    for root in corpora:
        load = os.getloadavg()[0]
        row = stages(root, embedder, max_files, ingest_options(settings)["sentence_window"])
        row["load_avg"] = [round(load, 2), round(os.getloadavg()[0], 2)]
        texts = row.pop("texts")
        row["corpus"] = str(root)
        row["embedding"] = embedding_paths(
            embedder, sorted(texts, key=len)[:: max(1, len(texts) // 256)], repeats=repeats
        )
        runs.append(row)
    report = {"benchmark": "ingest", "when": datetime.now(UTC).isoformat(), "machine": machine(), "runs": runs}
    rows = [
        [r["corpus"], r["files"], r["mb"], r["passages"], r["windows"], r["embedded"], *r["seconds"].values()]
        + [r["passages_per_s"], r["mb_per_s"]]
        + [r["load_avg"]]
        for r in runs
    ]
    md = "# notecite bench ingest\n\n" + table(
        rows,
        ["corpus", "files", "MB", "passages", "windows", "embedded", "parse s", "chunk s", "embed s", "windows s"]
        + ["index s"]
        + ["passages/s", "MB/s", "load"],
    )
    emb = [[r["corpus"], *r["embedding"].values()] for r in runs]
    md += "\n" + table(
        emb,
        ["corpus", "texts", "path", "ours/s", "fp32/s", "ST.encode/s", "speedup", "CPU s ours", "CPU s fp32"]
        + ["CPU s encode", "min cosine", "equivalent", "load", "repeats"],
    )
    write_report(out, report, md)


def bench_retrieval(
    sizes: str = typer.Option("", help="Comma-separated passage counts (10000,100000,1000000): the scale bench."),
    hnsw_max: int = typer.Option(100_000, help="Build HNSW only up to this size (2 cores build 1M slowly)."),
    rank_bm25_max: int = typer.Option(100_000, help="rank-bm25 only up to this size (it scores every document)."),
    milvus_max: int = typer.Option(100_000, help="Milvus Lite only up to this size."),
    text_max: int = typer.Option(100_000, help="BM25 and hybrid only up to this size (above: dense only)."),
    queries: int = typer.Option(200, help="Queries per engine."),
    hnsw_grid: str = typer.Option("32:80", help="HNSW M:efConstruction pairs to build, comma-separated."),
    ef_search: str = typer.Option("64,128", help="HNSW efSearch values to time on each graph."),
    dense_only: bool = typer.Option(False, help="Only the dense engines (the HNSW sweep)."),
    vectors: str = typer.Option(
        "isotropic", help="Dense vector sets: isotropic (worst case), notes (Gaussian fitted to the notes' vectors)."
    ),
    out: Path = typer.Option(REPORTS / "retrieval.json", help="JSON report; the .md goes beside it."),
    notes: Path | None = typer.Option(None, help="Notes folder (without --sizes: the notes benchmark)."),
    index: Path | None = typer.Option(None, help="Index folder (without --sizes)."),
    dataset: Path = typer.Option(Path("eval/datasets/notes_dev.jsonl"), help="Questions to time (JSONL)."),
    repeats: int = typer.Option(5, min=1),
    json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
    breakdown: bool = typer.Option(False, help="Notes bench: also hybrid with each change undone alone."),
    windows: bool = typer.Option(True, help="Hybrid also with the sentence-window ranking, as the service by default."),
    window_corpus: Path | None = typer.Option(None, help="Folder whose passages give the windows (default: notes)."),
    window_sample_passages: int = typer.Option(0, help="Fit the window vectors to this many notes' windows (0: all)."),
) -> None:
    """p50/p95 of hybrid retrieval on the notes; with --sizes, engines side by side at 10k-1M passages."""
    if not sizes:
        from service.cli import bench_retrieval_command

        return bench_retrieval_command(
            notes=notes,
            index=index,
            dataset=dataset,
            repeats=repeats,
            out=Path(str(out)),
            json_out=json_out,
            breakdown=breakdown,
        )
    from eval.ingest_bench import passage_texts
    from eval.scale_bench import (
        SERVICE_GRAPH,
        bench_bm25,
        bench_dense,
        bench_hybrid,
        bench_milvus,
        corpus_texts,
        notes_like_vectors,
        synthetic_vectors,
    )
    from eval.window_bench import window_builder
    from models.embedder import embedder_for
    from service.bench import load_queries

    settings = get_settings()
    embedder = embedder_for(settings)
    passages = passage_texts(settings.notes_dir)
    if not passages:  # the real-text sizes cycle the notes' passages: none to cycle
        typer.echo(f"bench retrieval: no passages under {settings.notes_dir}; set NOTECITE_NOTES_DIR", err=True)
        raise typer.Exit(2)
    build_windows, window_about = None, {}
    if windows and settings.retrieval.sentence_window and settings.retrieval.sentence_weight:
        build_windows, window_about = window_builder(
            settings.notes_dir,
            window_corpus or settings.notes_dir,
            embedder,
            settings.retrieval.sentence_window,
            window_sample_passages,
        )
    with tempfile.TemporaryDirectory() as tmp:
        milvus_uri = str(Path(tmp) / "bench.db")
        texts_q = (load_queries(dataset) * 10)[:queries]
        vec_q = synthetic_vectors(queries, embedder.dim, seed=7)
        rows = []
        for n in [int(s) for s in sizes.split(",")]:
            row: dict[str, Any] = {"n": n}
            grid = [tuple(int(x) for x in pair.split(":")) for pair in hnsw_grid.split(",")]
            efs = [int(x) for x in ef_search.split(",")]
            row["dense"], graphs = {}, {}
            for kind in vectors.split(","):
                if kind == "isotropic":
                    base, queries_v = synthetic_vectors(n, embedder.dim, seed=n), vec_q
                else:  # "notes": a Gaussian with the mean and covariance of the notes' passage vectors
                    sample = embedder.embed(passages)
                    base, queries_v = notes_like_vectors(n, sample, seed=n), notes_like_vectors(queries, sample, 7)
                dense, built = bench_dense(base, queries_v, n <= hnsw_max, grid, efs)
                suffix = "" if kind == "isotropic" else f"@{kind}"
                row["dense"].update({k + suffix: v for k, v in dense.items()})
                graphs = graphs or built  # the hybrid reuses the first set's service graph
            typer.echo(json.dumps(row), err=True)
            if n > text_max or dense_only:
                rows.append(row)
                continue
            texts = corpus_texts(passages, n)
            engines = ["bm25s", "notecite"] + (["rank_bm25"] if n <= rank_bm25_max else [])
            row["bm25"] = bench_bm25(texts, texts_q, engines)
            if n <= milvus_max:
                milvus = bench_milvus(milvus_uri, embedder.dim, texts, vec_q, texts_q)
                row["dense"]["milvus_lite_flat"], row["bm25"]["milvus_bm25"] = milvus["dense"], milvus["bm25"]
            graph = graphs.get(SERVICE_GRAPH)  # the service's HNSW (ingest/faiss_index.py), used from its threshold on
            torch_query = embedder.fast.embed if embedder.fast is not None and embedder.query is not None else None
            k = settings.retrieval.candidate_k
            with tempfile.TemporaryDirectory(dir=tmp) as gen:
                index, row["windows"] = build_windows(Path(gen), n) if build_windows else (None, {})
                typer.echo(json.dumps(row["windows"]), err=True)
                row["hybrid"] = bench_hybrid(
                    texts, texts_q, embedder.embed, graph, k, embedder.encode, torch_query, index
                )
                del index
            row["hybrid"]["embed_path"] = embedder.query_path
            rows.append(row)
            typer.echo(json.dumps(row), err=True)
    report = {"benchmark": "retrieval-scale", "when": datetime.now(UTC).isoformat(), "machine": machine()}
    report |= {"windows": window_about, "rows": rows}
    write_report(out, report, retrieval_markdown(rows))


def retrieval_markdown(rows: list[dict[str, Any]]) -> str:
    md = "# notecite bench retrieval --sizes\n\n"
    lines = []
    for r in rows:
        for family in ("dense", "bm25"):
            for engine, s in r.get(family, {}).items():
                build = s.get("build_s", s.get("insert_s", ""))
                load = s.get("build_load", "")
                lines.append(
                    [
                        r["n"],
                        family,
                        engine,
                        s["p50_ms"],
                        s["p95_ms"],
                        s["p99_ms"],
                        s.get("recall_at_10", ""),
                        build,
                        load,
                    ]
                )
        timings = {name: s for name, s in r.get("hybrid", {}).items() if isinstance(s, dict) and "p95_ms" in s}
        for name, s in timings.items():
            load = r["hybrid"].get("load_avg", "")
            lines.append([r["n"], "hybrid", name, s["p50_ms"], s["p95_ms"], s["p99_ms"], "", "", load])
    header = ["passages", "family", "engine", "p50 ms", "p95 ms", "p99 ms", "recall@10", "build s", "load"]
    md += table(lines, header)
    shares = []
    for r in rows:
        if "hybrid" not in r:
            continue
        h = r["hybrid"]
        ours, encode = h.get("query_embedding_cpu", {}), h.get("query_embedding_encode_cpu", {})
        shares.append(
            [r["n"], h["hybrid"].get("dense", "flat"), h.get("embed_path", ""), h["embedding_share_p50"]]
            + [
                ours.get("p50_ms", ""),
                ours.get("cpu_p50_ms", ""),
                encode.get("p50_ms", ""),
                encode.get("cpu_p50_ms", ""),
                h.get("hybrid_cpu", {}).get("cpu_p50_ms", ""),
                h.get("hybrid_search_only_cpu", {}).get("cpu_p50_ms", ""),
            ]
        )
    if shares:
        header = ["passages", "hybrid dense", "query embedding path", "embedding share of hybrid p50"]
        header += ["ours ms", "ours CPU ms", "ST.encode ms", "ST.encode CPU ms", "hybrid CPU ms", "search CPU ms"]
        md += "\n" + table(shares, header)
    return md + windows_markdown(rows)


def windows_markdown(rows: list[dict[str, Any]]) -> str:
    """The sentence windows per size: what they cost, and what scoring them adds to a hybrid query."""
    built = [r for r in rows if r.get("windows") and "hybrid" in r]
    if not built:
        return ""
    lines = []
    for r in built:
        w, h = r["windows"], r["hybrid"]
        lines.append(
            [r["n"], w["windows"], w["windows_per_passage"], w["build_s"], w["build_cpu_s"], w["build_load"]]
            + [w["disk_mb"]["sentences.npy"], w["loaded_rss_mb"]]
            + [h["hybrid"]["p50_ms"], h["hybrid_windows"]["p50_ms"], h["hybrid_windows"]["p99_ms"]]
            + [h["window_search"]["p50_ms"], h["window_share_p50"], h["hybrid_windows_cpu"]["cpu_p50_ms"]]
        )
    header = ["passages", "windows", "per passage", "write s", "write CPU s", "write load", "vectors MB"]
    header += ["loaded RSS MB", "hybrid p50 ms", "+ windows p50 ms", "+ windows p99 ms"]
    header += ["window scoring p50 ms", "window share of p50", "+ windows CPU p50 ms"]
    return "\n## Sentence windows (the service's default hybrid)\n\n" + table(lines, header)


def bench_load(
    workers: str = typer.Option("1,2", help="Worker counts to run, one after the other."),
    clients: int = typer.Option(16, help="Concurrent clients."),
    seconds: float = typer.Option(20.0, help="Seconds per endpoint and worker count."),
    out: Path = typer.Option(REPORTS / "load.json", help="JSON report; the .md goes beside it."),
) -> None:
    """16 concurrent clients on /api/search and /api/ask: requests, p50/p95, errors, peak RSS; 1 and 2 workers.
    The workers read the same NOTECITE_ settings as `notecite serve`."""
    from eval.load_bench import bench_load as run

    settings = get_settings()
    log_dir = Path(tempfile.mkdtemp(prefix="notecite-load-"))
    env = {"NOTECITE_INDEX_DIR": str(settings.index_dir), "NOTECITE_NOTES_DIR": str(settings.notes_dir)}
    rows = run(env, [int(w) for w in workers.split(",")], clients, seconds, log_dir)
    report = {"benchmark": "load", "when": datetime.now(UTC).isoformat(), "machine": machine(), "rows": rows}
    lines = [
        [r["workers"], ep, r[ep]["requests"], r[ep]["per_s"], r[ep]["p50_ms"], r[ep]["p95_ms"], r[ep]["errors"] or 0]
        + [r["peak_rss_mb"]]
        for r in rows
        for ep in ("search", "ask")
    ]
    md = "# notecite bench load\n\n" + table(
        lines, ["workers", "endpoint", "requests", "per s", "p50 ms", "p95 ms", "errors", "peak RSS MB"]
    )
    write_report(out, report, md)
