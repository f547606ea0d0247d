"""``sipkurs group``: role-play groups from the command line (for scripting a course day)."""

from __future__ import annotations

import click

from sipkurs.errors import UserError

_COURSE = click.option("--course", "course_code", required=True, help="Kurskod.")
_TRAINER = click.option(
    "--trainer-code", envvar="SIPKURS_TRAINER_CODE", required=True, help="Kursens lärarkod (även $SIPKURS_TRAINER_CODE)."
)
_DB = click.option("--db", envvar="SIPKURS_DB", help="Lagring: SQLite-fil eller SQLAlchemy-URL (även $SIPKURS_DB).")


def _open(db):
    from sipkurs.cli_app import _store

    return _store(db, must_exist=True)


def _echo_seats(store, group) -> None:
    from sipkurs.roleplay import seat_lines
    from sipkurs.templating import initial_capital

    for line in seat_lines(store, group):
        where = line.link or "(deltagarens egen personliga kod)"
        taken = f"  [{line.taken_by}]" if line.taken_by else ""
        chair = " (mötesledare)" if line.chair else ""
        click.echo(f"{initial_capital(line.label) + chair:40} {where}{taken}")


@click.group()
def group() -> None:
    """Rollspel i grupp: skapa grupper och se deras platser och länkar."""


@group.command()
@_COURSE
@_TRAINER
@click.option("--case", "case_id", default="", help="Fall ur fallbiblioteket. Utan: kursens fall.")
@click.option("--name", default="", help="Gruppens namn. Utan: Grupp 1, Grupp 2 …")
@_DB
def create(course_code, trainer_code, case_id, name, db) -> None:
    """Skapa en grupp med en plats per roll i fallet; skriver en rad per plats: rollen och dess länk."""
    from sipkurs.roleplay import form_group
    from sipkurs.store import StoreError

    store = _open(db)
    try:
        created = form_group(store, course_code, trainer_code, case_id=case_id, name=name)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    click.echo(f"{created.name} ({created.scenario_id}), {len(created.seats)} platser:", err=True)
    _echo_seats(store, created)


@group.command(name="list")
@_COURSE
@_TRAINER
@_DB
def list_groups(course_code, trainer_code, db) -> None:
    """Visa kursens grupper med platser, länkar och vem som sitter var."""
    from sipkurs.store import StoreError

    store = _open(db)
    try:
        groups = store.groups(course_code, trainer_code)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if not groups:
        click.echo("Kursen har inga grupper än.", err=True)
    for g in groups:
        click.echo(f"{g.name} ({g.scenario_id})")
        _echo_seats(store, g)


COMMANDS = (group,)
