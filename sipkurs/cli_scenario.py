"""``sipkurs scenario``: validate, preview and list the authored cases in scenarios/."""

from __future__ import annotations

from pathlib import Path

import click

from sipkurs.errors import UserError, os_error_sv


MAX_SHOWN = 50  # errors shown per file; the rest are counted
MAX_VARIANT = 1_000_000


@click.group()
def scenario() -> None:
    """Fallbiblioteket: kontrollera, förhandsgranska och lista fall."""


@scenario.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[SÖKVÄG]...")
def validate(paths: tuple[Path, ...]) -> int:
    """Kontrollera fallfiler (utan sökväg: alla i scenarios/). Varje fel visas med fil:rad:kolumn."""
    from simulator.case_validation import validate_paths
    from simulator.library import SCENARIOS_DIR

    cases, errors = validate_paths(list(paths) or [SCENARIOS_DIR])
    shown: dict[str, int] = {}
    for e in errors:
        shown[e.file] = shown.get(e.file, 0) + 1
        if shown[e.file] <= MAX_SHOWN:
            click.echo(str(e), err=True)
    for file, count in shown.items():
        if count > MAX_SHOWN:
            click.echo(f"{file}: … och {count - MAX_SHOWN} fel till i samma fil", err=True)
    if errors:
        click.echo(f"{len(errors)} fel i fallfilerna.", err=True)
        return 1
    click.echo(f"{len(cases)} fall utan fel.")
    return 0


def _case(case_id: str):
    from simulator.library import InvalidLibrary, check_library

    try:
        library = check_library()
    except InvalidLibrary as exc:
        raise UserError(f"{exc}; kör 'sipkurs scenario validate'") from None
    if case_id not in library:
        raise UserError(f"okänt fall '{case_id}'; se 'sipkurs scenario list'", 2)
    return library[case_id]


@scenario.command()
@click.argument("case_id", metavar="ID")
@click.option("--view", "view", default="participant", show_default=True, help="participant, trainer, role:ORGANISATION (role:personen för den som spelar personen), event:HÄNDELSE eller interview (intervjun för självstudier).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True, help="Utdataformat.")
@click.option("--variant", type=click.IntRange(min=0, max=MAX_VARIANT), help="Variantens nummer (samma nummer ger samma person). Utan: numret i ID@N, annars 0.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Skriv till fil i stället för skärmen.")
def preview(case_id: str, view: str, fmt: str, variant: int | None, output: Path | None) -> None:
    """Visa ett fall så som deltagare, en roll eller utbildaren ser det (ID eller ID@N för variant N)."""
    from simulator.cases import VARIANT_SEPARATOR
    from simulator.views import UnknownView, render

    base, sep, number = case_id.partition(VARIANT_SEPARATOR)
    if sep and not (number.isascii() and number.isdigit() and len(number) <= 7 and int(number) <= MAX_VARIANT):
        raise UserError(f"ogiltigt varianttal i '{base}@…'; skriv ett tal 0–{MAX_VARIANT}, till exempel {base}@3", 2)
    if variant is None:
        variant = int(number) if sep else 0
    case = _case(base)
    try:
        text = render(case, view, fmt, variant)
    except UnknownView as exc:
        raise UserError(str(exc), 2) from None
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"kunde inte skriva {output}: {os_error_sv(exc)}") from None
    click.echo(f"Skrev {output}", err=True)


@scenario.command(name="list")
def list_cases() -> None:
    """Lista fallen: id, titel, svårighetsgrad och målgrupper."""
    from simulator.cases import DIFFICULTY_LABELS

    from simulator.library import InvalidLibrary, check_library

    try:
        library = check_library()
    except InvalidLibrary as exc:
        raise UserError(f"{exc}; kör 'sipkurs scenario validate'") from None
    for c in library.values():
        click.echo(f"{c.id:34} {DIFFICULTY_LABELS[int(c.difficulty)]:14} {c.title} [{', '.join(c.target_groups)}]")
