"""``sipkurs serve`` (the course: standalone Voila with the drafting app) and ``sipkurs export`` (a plan to HTML/PDF)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from sipkurs.errors import UserError, os_error_sv

APP_NOTEBOOK = "sip_utkast.ipynb"
TRAINER_NOTEBOOK = "sip_larare.ipynb"


def notebooks_dir() -> Path:
    """The folder Voila serves: only the participant app and the trainer page, nothing else."""
    return Path(__file__).resolve().parent.parent / "courses" / "voila"


def _store_problem(exc: Exception) -> str:
    """Why the store could not be opened, in Swedish (drivers explain in English, with links)."""
    from sqlalchemy import exc as sa

    text = str(exc)
    if isinstance(exc, ModuleNotFoundError):
        return f"databasdrivrutinen {exc.name} är inte installerad"
    if isinstance(exc, sa.NoSuchModuleError | sa.ArgumentError):
        return "adressen är ingen giltig databasadress (till exempel sqlite:///fil.db eller postgresql+psycopg://…)"
    if "file is not a database" in text:
        return "filen är ingen SQLite-databas"
    if isinstance(exc, sa.OperationalError):
        return "databasen går inte att öppna eller nå"
    return "okänt fel i databasen"


def _store(db: str | None, *, must_exist: bool = False):
    from sipkurs.store import Store, StoreError, to_url

    if must_exist and db and "://" not in db and not Path(db).is_file():
        raise UserError(f"lagringen {db} finns inte")
    try:
        return Store(to_url(db) if db else None)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable database: one line, no traceback
        raise UserError(f"kunde inte öppna lagringen {db or ''}: {_store_problem(exc)}".replace("  ", " ")) from None


def voila_command(folder: Path, host: str, port: int, pool_size: int, cull_idle: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        str(folder),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--preheat_kernel=True",
        f"--pool_size={pool_size}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={max(5, min(60, cull_idle // 3))}",
        "--VoilaExporter.language_code=sv",
        "--KernelManager.transport=ipc",
        "--Voila.log_level=ERROR",  # not one "notebook is not trusted" line per page view
    ]


def voila_config(pool_size: int) -> dict:
    """Preheated kernels for the participant app; the trainer page starts its kernel on demand."""
    return {
        "VoilaKernelManager": {
            "kernel_pools_config": {APP_NOTEBOOK: {"pool_size": pool_size}, "default": {"pool_size": 0}},
            "preheat_denylist": [TRAINER_NOTEBOOK],
            "fill_delay": 2,  # a burst of arrivals is served before the pool refills
        }
    }


def _wait_listening(host: str, port: int, proc: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Voila binds: TIME_WAIT is not "busy"
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


@click.command()
@click.option("--course", "course_code", help="Kurskod. Utan: en ny kurs skapas och koden skrivs ut.")
@click.option("--trainer-code", envvar="SIPKURS_TRAINER_CODE", help="Lärarkod för översikten. Utan: en ny skapas och skrivs ut.")
@click.option("--case", "case_id", help="Fall ur fallbiblioteket (se 'sipkurs scenario list'); varje deltagare får en egen variant.")
@click.option("-a", "--archetype", help="I stället för ett fall: genererade personer av en arketyp (se 'sipkurs archetypes').")
@click.option("-s", "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Frö för fallens varianter.")
@click.option("--db", envvar="SIPKURS_DB", help="Lagring: sökväg till en SQLite-fil eller en SQLAlchemy-URL (även $SIPKURS_DB).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True, help="Port.")
@click.option("--pool-size", type=click.IntRange(0, 200), default=4, show_default=True, help="Förvärmda kärnor för deltagarappen.")
@click.option("--cull-idle", type=click.IntRange(10, 86400), default=120, show_default=True, help="Sekunder innan en övergiven kärna stängs.")
@click.option("--self-study", is_flag=True, help="Självstudier för alla: var och en väljer fall, intervjuar personen och övar ensam (ingen utbildare behövs).")
@click.option("--public-url", help="Adressen deltagarna använder, om den är en annan (t.ex. https://sip.kommun.se bakom en proxy).")
def serve(course_code, trainer_code, case_id, archetype, seed, db, host, port, pool_size, cull_idle, self_study, public_url) -> None:
    """Starta kursen: deltagarappen och utbildarens översikt i webbläsaren (Voila)."""
    from simulator.engine import archetype_names
    from sipkurs.cases import DEFAULT_CASE, case_ids
    from sipkurs.store import StoreError

    if archetype is not None and archetype not in archetype_names():
        raise click.UsageError(f"okänd arketyp '{archetype}'; välj en av: {', '.join(archetype_names())}")
    if case_id is not None and case_id not in case_ids():
        raise click.UsageError(f"okänt fall '{case_id}'; välj ett av: {', '.join(case_ids())}")
    if case_id and archetype:
        raise click.UsageError("använd antingen --case eller --archetype, inte båda")
    if self_study and (case_id or archetype):
        raise click.UsageError("vid självstudier väljer var och en sitt fall; ange inte --case eller --archetype")
    if self_study:
        from sipkurs.selfstudy import SELF_STUDY_COURSE

        course_code = course_code or SELF_STUDY_COURSE
    store = _store(db)
    try:
        course, trainer = store.create_course(
            course_code, case_id=case_id or "", archetype=archetype or "", seed=seed, trainer_code=trainer_code
        )
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if course.case_id and course.case_id not in case_ids():  # a reopened course whose case has left the library
        raise UserError(f"kursens fall '{course.case_id}' finns inte i fallbiblioteket; ange ett fall med --case")
    from sipkurs.links import PUBLIC_URL_SETTING
    from sipkurs.selfstudy import MODE_SETTING, SELF_STUDY

    if self_study:
        store.set_setting(MODE_SETTING, SELF_STUDY, course=course.code)

    store.set_setting(PUBLIC_URL_SETTING, (public_url or f"http://{host}:{port}").rstrip("/"))  # for group links
    url = store.url
    store.close()
    folder = notebooks_dir()
    if not (folder / APP_NOTEBOOK).is_file():
        raise UserError(f"hittar inte appen {folder / APP_NOTEBOOK}")
    if not _port_free(host, port):
        raise UserError(f"porten {port} på {host} är upptagen; välj en annan med --port")

    runtime = Path(tempfile.mkdtemp(prefix="sipkurs-serve-"))
    (runtime / "voila.json").write_text(json.dumps(voila_config(pool_size)), encoding="utf-8")
    env = {**os.environ, "SIPKURS_DB": url}
    if self_study:
        env["SIPKURS_SELF_STUDY"] = course.code  # the app's join page: no course code, choose a case after joining
    # Voila's and the kernels' own messages (English, and tracebacks when kernels are stopped mid-work) go to a log
    # file; the trainer's terminal shows only ours.
    log_path = Path(tempfile.gettempdir()) / f"sipkurs-serve-{port}.log"
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        voila_command(folder, host, port, pool_size, cull_idle),
        cwd=runtime, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )

    stopping = []

    def stop(*_args) -> None:
        stopping.append(True)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        if not _wait_listening(host, port, proc):
            stop()
            raise UserError(f"Voila startade inte; se loggen {log_path}")
        base = f"http://{host}:{port}/voila/render"
        click.echo(f"Kursen {course.code} är igång.")
        click.echo(f"  Deltagare:  {base}/{APP_NOTEBOOK}?kurs={course.code}")
        click.echo(f"  Kurskod:    {course.code}")
        click.echo("  Fall:       var och en väljer sitt fall (självstudier)" if self_study
                   else f"  Fall:       {course.case_id or course.archetype or DEFAULT_CASE}")
        click.echo(f"  Utbildare:  {base}/{TRAINER_NOTEBOOK}?kurs={course.code}")
        click.echo(f"  Lärarkod:   {trainer}   (visa den inte för deltagarna)")
        click.echo(f"  Lagring:    {_safe_url(url)}")
        click.echo(f"  Logg:       {log_path}")
        click.echo("Avsluta med Ctrl-C.", nl=True)
        sys.stdout.flush()
        if proc.wait() != 0 and not stopping:
            raise UserError(f"Voila avslutades oväntat; se loggen {log_path}")
    except KeyboardInterrupt:
        click.echo("\nAvslutar …", err=True)
    finally:
        stop()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        for child in runtime.iterdir():
            child.unlink()
        runtime.rmdir()


def _safe_url(url: str) -> str:
    """The store URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command()
@click.option("--course", "course_code", required=True, help="Kurskod.")
@click.option("--trainer-code", envvar="SIPKURS_TRAINER_CODE", required=True, help="Kursens lärarkod (även $SIPKURS_TRAINER_CODE).")
@click.option("--participant", "participant_id", type=click.IntRange(1, 2**31 - 1), help="Deltagarens nummer (kolumnen Nr i översikten).")
@click.option("--group", "group_name", help="I stället för en deltagare: gruppens namn (till exempel 'Grupp 1').")
@click.option("-f", "--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True, help="Format.")
@click.option("--db", envvar="SIPKURS_DB", help="Lagring: SQLite-fil eller SQLAlchemy-URL (även $SIPKURS_DB).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fil att skriva. Utan: HTML till skärmen.")
def export(course_code, trainer_code, participant_id, group_name, fmt, db, output) -> None:
    """Exportera en deltagares eller en grupps senast inlämnade plan (annars utkastet) med återkoppling."""
    from sipkurs import cases
    from sipkurs.export import plan_html, plan_pdf
    from sipkurs.feedback import assess
    from sipkurs.store import StoreError

    from simulator.lookup import UnknownScenario

    if (participant_id is None) == (group_name is None):
        raise click.UsageError("ange antingen --participant NR eller --group NAMN")
    store = _store(db, must_exist=True)
    try:
        if group_name is not None:
            group = next(
                (g for g in store.groups(course_code, trainer_code) if g.name.casefold() == group_name.strip().casefold()),
                None,
            )
            if group is None:
                raise StoreError(f"gruppen '{group_name.strip()}' finns inte i kursen")
            group, data, submission = store.trainer_group_plan(course_code, trainer_code, group.id)
            scenario_id = group.scenario_id
            members = ", ".join(s.participant_name for s in group.seats if s.participant_name) or "inga medlemmar"
            name = f"{group.name}: {members}"
        else:
            participant, data, submission = store.trainer_plan(course_code, trainer_code, participant_id)
            scenario_id, name = participant.scenario_id, participant.display_name
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        scenario = cases.scenario(scenario_id)
    except (UnknownScenario, KeyError):
        raise UserError(f"planens fall '{scenario_id}' finns inte längre i fallbiblioteket") from None
    feedback = assess(data, scenario)
    title = f"SIP – {'inlämnad version ' + str(submission.number) if submission else 'utkast'}"
    if fmt == "pdf":
        if output is None:
            raise click.UsageError("PDF kräver --output FIL")
        content = plan_pdf(data, feedback, name=name, title=title)
    else:
        content = plan_html(data, feedback, name=name, title=title).encode()
    if output is None:
        click.echo(content.decode(), nl=False)
        return
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise UserError(f"kunde inte skriva {output}: {os_error_sv(exc)}") from None
    click.echo(f"Skrev {output}", err=True)


COMMANDS = (serve, export)
