"""`notecite quiz`: the quiz in a terminal, on the same cards and the same schedule file as the web UI."""

from __future__ import annotations

from pathlib import Path

import typer

from service.cli import index_settings


def quiz(
    doc: str | None = typer.Option(None, "--doc", help="The note to quiz (default: the one with most cards)."),
    section: str | None = typer.Option(None, "--section", help="Only this section's cards (its title)."),
    count: int = typer.Option(5, "-n", min=1, help="How many cards to ask."),
    notes: Path | None = typer.Option(None, help="Notes folder (NOTECITE_NOTES_DIR)."),
    index: Path | None = typer.Option(None, help="Index folder (NOTECITE_INDEX_DIR)."),
) -> None:
    """Quiz me: type an answer to each card due; it is graded against the note and scheduled (FSRS)."""
    from ingest.errors import IngestError
    from service.runtime import ingest
    from service.study.cards import build_cards
    from service.study.outline import build_outline, find_section, section_spans
    from service.study.quiz import QuizError, answer_card, deck, next_card
    from service.study.schedule import ScheduleStore, schedule_path

    settings = index_settings(notes, index, generator="none")
    try:
        from ingest.store import open_index
        from models.embedder import embedder_for

        embedder = embedder_for(settings)
        ingest(settings, embedder)
        reader = open_index(settings.index_dir)
    except IngestError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    notes_docs = [d.doc for d in reader.documents() if d.kind == "note"]
    doc = doc or max(notes_docs, key=lambda d: len(build_cards(reader, d)), default=None)
    if doc is None:
        typer.echo("error: no notes indexed", err=True)
        raise typer.Exit(2)
    start = end = None
    if section:
        entry = find_section(build_outline(section_spans(reader, doc))[1], section)
        if entry is None:
            typer.echo(f"error: {doc!r} has no section titled {section!r}", err=True)
            raise typer.Exit(2)
        start, end = entry.start, entry.end
    store = ScheduleStore(schedule_path(settings.index_dir))
    try:
        cards = deck(reader, doc, start, end)
        for _ in range(count):
            card, status = next_card(cards, store)
            if card is None:
                typer.echo(f"Nothing due in {doc} ({status.total} cards). Come back later.")
                break
            typer.echo(f"\n[{doc} · {status.due} due, {status.new} new] {card.question}")
            answer = typer.prompt("your answer", default="", show_default=False)
            result = answer_card(cards, card.key, answer, embedder, store)
            grade = result["grade"]
            typer.echo(f"  {grade['verdict'].upper()} (score {grade['score']:.2f}; next review {result['due'][:16]})")
            typer.echo(f"  the note, {doc} [{card.start}:{card.end}] {' > '.join(card.breadcrumbs)}:")
            typer.echo("    " + card.answer.replace("\n", "\n    "))
    except QuizError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
