"""``sipkurs course``: create, list and change courses on purpose (``sipkurs serve`` only continues them)."""

from __future__ import annotations

import click

from sipkurs.errors import UserError

_DB = click.option("--db", envvar="SIPKURS_DB", help="Lagring: SQLite-fil eller SQLAlchemy-URL (även $SIPKURS_DB).")


def _check_case(case_id: str | None, archetype: str | None) -> None:
    from simulator.engine import archetype_names
    from sipkurs.cases import case_ids

    if case_id and archetype:
        raise click.UsageError("använd antingen --case eller --archetype, inte båda")
    if case_id is not None and case_id not in case_ids():
        raise click.UsageError(f"okänt fall '{case_id}'; välj ett av: {', '.join(case_ids())}")
    if archetype is not None and archetype not in archetype_names():
        raise click.UsageError(f"okänd arketyp '{archetype}'; välj en av: {', '.join(archetype_names())}")


def _yes(answer: str) -> bool:
    return answer.strip().lower() in ("j", "ja", "y", "yes")


def _self_study(store, course) -> bool:
    from sipkurs.selfstudy import MODE_SETTING, SELF_STUDY

    return store.setting(MODE_SETTING, course=course.code) == SELF_STUDY


def _what(course, self_study: bool = False) -> str:
    """The course's case as the trainer reads it."""
    from sipkurs.cases import DEFAULT_CASE

    if self_study:
        return "självstudier: var och en väljer sitt fall"
    if course.archetype:
        return f"genererade personer ({course.archetype}, frö {course.seed})"
    return course.case_id or f"{DEFAULT_CASE} (standard)"


@click.group()
def course() -> None:
    """Kurser: skapa en kurs i förväg, se alla kurser, byt en kurs fall eller lärarkod."""


@course.command()
@click.option("--course", "course_code", help="Kurskod. Utan: en ny kod skapas.")
@click.option("--case", "case_id", help="Fall ur fallbiblioteket (se 'sipkurs scenario list').")
@click.option("-a", "--archetype", help="I stället för ett fall: genererade personer av en arketyp.")
@click.option("-s", "--seed", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True, help="Frö för de genererade personerna (bara med --archetype).")
@click.option("--trainer-code", envvar="SIPKURS_TRAINER_CODE", help="Lärarkod. Utan: en säker kod skapas och skrivs ut.")
@_DB
def create(course_code, case_id, archetype, seed, trainer_code, db) -> None:
    """Skapa en kurs utan att starta servern (till exempel dagen före); starta den sedan med 'sipkurs serve --course KOD'."""
    from sipkurs.cli_app import _store, check_course_code, check_trainer_code
    from sipkurs.store import StoreError

    course_code, trainer_code = check_course_code(course_code), check_trainer_code(trainer_code)
    _check_case(case_id, archetype)
    if seed and not archetype:
        raise click.UsageError("--seed gäller bara genererade personer (--archetype)")
    store = _store(db)
    try:
        created, trainer = store.create_course(
            course_code, case_id=case_id or "", archetype=archetype or "", seed=seed, trainer_code=trainer_code
        )
    except StoreError as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    click.echo(f"Kursen {created.code} är skapad.")
    click.echo(f"  Kurskod:    {created.code}")
    click.echo(f"  Fall:       {_what(created)}")
    click.echo(f"  Lärarkod:   {trainer}   (visa den inte för deltagarna)")
    click.echo(f"  Starta:     sipkurs serve --course {created.code}")


@course.command(name="list")
@_DB
def list_courses(db) -> None:
    """Lista kurserna i lagringen: kurskod, fall, deltagare, grupper och när kursen skapades."""
    from sipkurs.cli_app import _store
    from sipkurs.templating import local_time

    store = _store(db, must_exist=True)
    try:
        summaries = store.courses()
        studying = {s.course.code for s in summaries if _self_study(store, s.course)}
    finally:
        store.close()
    if not summaries:
        click.echo("Inga kurser än. Skapa en med 'sipkurs course create' eller 'sipkurs serve'.", err=True)
        return
    click.echo(f"{'Kurskod':24} {'Deltagare':>9} {'Grupper':>7}  {'Skapad':16}  Fall")
    for s in summaries:
        c = s.course
        click.echo(f"{c.code:24} {s.participants:9d} {s.groups:7d}  {local_time(c.created):%Y-%m-%d %H:%M}  {_what(c, c.code in studying)}")


@course.command()
@click.argument("course_code", metavar="KURSKOD")
@click.option("--case", "case_id", help="Nytt fall för deltagare som ansluter från och med nu.")
@click.option("-a", "--archetype", help="I stället för ett fall: genererade personer av en arketyp.")
@click.option("-s", "--seed", type=click.IntRange(0, 2**31 - 1), help="Nytt frö för de genererade personerna (arketyp).")
@click.option("--new-trainer-code", is_flag=True, help="Skapa en ny, säker lärarkod och skriv ut den.")
@click.option("--trainer-code", help="Sätt den här lärarkoden.")  # never from the environment: a change is deliberate
@click.option("-y", "--yes", is_flag=True, help="Fråga inte först.")
@_DB
def change(course_code, case_id, archetype, seed, new_trainer_code, trainer_code, yes, db) -> None:
    """Byt en kurs fall, frö eller lärarkod. Deltagare och grupper som redan har ett fall behåller det."""
    from sipkurs.cli_app import _store, check_course_code, check_trainer_code
    from sipkurs.store import StoreError, new_code

    course_code, trainer_code = check_course_code(course_code), check_trainer_code(trainer_code)
    _check_case(case_id, archetype)
    if new_trainer_code and trainer_code:
        raise click.UsageError("använd antingen --new-trainer-code eller --trainer-code, inte båda")
    if not (case_id or archetype or seed is not None or new_trainer_code or trainer_code):
        raise click.UsageError("ange vad som ska bytas: --case, --archetype, --seed, --new-trainer-code eller --trainer-code")
    if new_trainer_code:
        trainer_code = new_code()
    from sipkurs.store.codes import weak_trainer_code

    weak = weak_trainer_code(trainer_code) if trainer_code else None
    if weak:
        raise UserError(weak)
    store = _store(db, must_exist=True)
    try:
        summary = next((s for s in store.courses() if s.course.code == course_code.upper()), None)
        if summary is None:
            raise UserError(f"kursen {course_code.upper()} finns inte; se 'sipkurs course list'")
        if (case_id or archetype or seed is not None) and _self_study(store, summary.course):
            raise UserError(f"kursen {summary.course.code} är en självstudiekurs: var och en väljer sitt fall")
        if seed is not None and not (archetype or summary.course.archetype):
            raise UserError("--seed gäller bara genererade personer (--archetype); ett fall ur biblioteket har sina varianter")
        changes = []
        if case_id or archetype:
            changes.append(f"fallet från {_what(summary.course)} till {case_id or archetype}")
        if seed is not None:
            changes.append(f"fröet från {summary.course.seed} till {seed}")
        if trainer_code:
            changes.append("lärarkoden (den gamla slutar gälla direkt; utbildare loggar in igen med den nya)")
        click.echo(f"Kursen {summary.course.code} har {summary.participants} deltagare och {summary.groups} grupper. "
                   f"Byter {' och '.join(changes)}.", err=True)
        if (summary.participants or summary.groups) and (case_id or archetype or seed is not None):
            click.echo("De som redan har anslutit och grupper som redan finns behåller sina fall.", err=True)
        if not yes and not _yes(click.prompt("Fortsätta? [j/N]", default="n", show_default=False, err=True)):
            raise UserError("ingenting ändrades")
        changed = store.change_course(
            summary.course.code, case_id=case_id, archetype=archetype, seed=seed, trainer_code=trainer_code
        )
    except StoreError as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    click.echo(f"Kursen {changed.code} är ändrad. Fall: {_what(changed)}.")
    if new_trainer_code:
        click.echo(f"  Ny lärarkod: {trainer_code}   (visa den inte för deltagarna)")


COMMANDS = (course,)
