"""``sipkurs serve`` (the course: standalone Voila with the drafting app) and ``sipkurs export`` (a plan to HTML/PDF)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from sipkurs.errors import UserError, os_error_sv
from sipkurs.serving.config import DEFAULT_ABANDONED, DEFAULT_IDLE, DEFAULT_PER_ADDRESS, DEFAULT_POOL


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
        raise UserError(f"lagringen {db} {'är ingen vanlig fil' if Path(db).exists() else 'finns inte'}")
    try:
        return Store(to_url(db) if db else None)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable database: one line, no traceback
        shown = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", db or "")  # never a password on the screen (even unparsable)
        raise UserError(f"kunde inte öppna lagringen {shown}: {_store_problem(exc)}".replace("  ", " ")) from None


def serve_config(host: str, port: int, pool_size: int, limits) -> "ServeConfig":
    """What the server process needs: the pages of sipkurs/serving/pages.py, the address, the pool and the limits."""
    from sipkurs.serving.config import ServeConfig

    return ServeConfig(host=host, port=port, pool_size=pool_size, limits=limits)


def _wait_listening(host: str, port: int, proc: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host if host not in ("0.0.0.0", "::", "") else "127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _check_host(host: str) -> None:
    try:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise UserError(f"ogiltig adress för --host: {host!r}", 2) from None


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Voila binds: TIME_WAIT is not "busy"
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


COURSE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def check_course_code(code: str | None) -> str | None:
    """A course code as typed on the command line: letters A–Z, digits, - and _, at most 40 characters."""
    if code is None:
        return None
    if not COURSE_CODE.match(code.strip()):
        raise UserError("kurskoden får bara innehålla bokstäverna A–Z, siffror, - och _ (högst 40 tecken)", 2)
    return code.strip()


def check_trainer_code(code: str | None) -> str | None:
    """A trainer code as typed: printable, without spaces, at most 100 characters (the store checks its strength)."""
    if code is None:
        return None
    if not code or len(code) > 100 or not code.isprintable() or any(c.isspace() for c in code):
        raise UserError("lärarkoden får inte innehålla mellanslag eller osynliga tecken och får ha högst 100 tecken", 2)
    return code


def restart_options(*, db, host, port, pool_size, proxy, self_study, public_url) -> list[str]:
    """The options a restart of the same course needs again (those that differ from the defaults)."""
    import shlex

    given = [("--db", db), ("--host", None if host == "127.0.0.1" else host), ("--port", None if port == 8866 else port),
             ("--pool-size", None if pool_size == DEFAULT_POOL else pool_size), ("--public-url", public_url)]
    words = [f"{flag} {shlex.quote(str(value))}" for flag, value in given if value is not None]
    return words + (["--proxy"] if proxy else []) + (["--self-study"] if self_study else [])


SEED_MAX = 2**31 - 1
PARTICIPANT_MAX = 2**31 - 1


@click.command()
@click.option("--course", "course_code", help="Kurskod. Utan: en ny kurs skapas och koden skrivs ut.")
@click.option("--trainer-code", envvar="SIPKURS_TRAINER_CODE", help="Lärarkod för översikten. Utan: en ny skapas och skrivs ut.")
@click.option("--case", "case_id", help="Fall ur fallbiblioteket (se 'sipkurs scenario list'); varje deltagare får en egen variant.")
@click.option("-a", "--archetype", help="I stället för ett fall: genererade personer av en arketyp (se 'sipkurs archetypes').")
@click.option("-s", "--seed", type=click.IntRange(0, SEED_MAX), help="Frö för de genererade personerna (bara med --archetype). Standard: 0.")
@click.option("--db", envvar="SIPKURS_DB", help="Lagring: sökväg till en SQLite-fil eller en SQLAlchemy-URL (även $SIPKURS_DB).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", type=click.IntRange(1, 65535), default=8866, show_default=True, help="Port.")
@click.option("--pool-size", type=click.IntRange(0, 200), default=DEFAULT_POOL, show_default=True, help="Förvärmda kärnor för deltagarappen (sidor som öppnas direkt).")
@click.option("--max-kernels", type=click.IntRange(1, 1000), help="Högst så många kärnor (sidor) samtidigt. Standard: så många som minnet räcker till (150 MiB styck), högst 100.")
@click.option("--max-per-address", type=click.IntRange(1, 1000), default=DEFAULT_PER_ADDRESS, show_default=True, help="Högst så många kärnor per klientadress (höj om alla deltagare kommer via samma adress).")
@click.option("--cull-idle", type=click.IntRange(10, 86400), default=DEFAULT_ABANDONED, show_default=True, help="Sekunder innan en kärna vars sida är stängd stängs.")
@click.option("--idle-timeout", type=click.IntRange(60, 86400), default=DEFAULT_IDLE, show_default=True, help="Sekunder utan aktivitet innan en öppen sidas kärna stängs (sidan erbjuder 'Anslut igen').")
@click.option("--proxy", is_flag=True, help="Servern står bakom en omvänd proxy: klientens adress läses från X-Forwarded-For/X-Real-IP.")
@click.option("--self-study", is_flag=True, help="Självstudier för alla: var och en väljer fall, intervjuar personen och övar ensam (ingen utbildare behövs).")
@click.option("--public-url", help="Adressen deltagarna använder, om den är en annan (t.ex. https://sip.kommun.se bakom en proxy).")
def serve(course_code, trainer_code, case_id, archetype, seed, db, host, port, pool_size, max_kernels, max_per_address,
          cull_idle, idle_timeout, proxy, self_study, public_url) -> None:
    """Starta kursen: deltagarappen och utbildarens översikt i webbläsaren (Voila)."""
    from simulator.engine import archetype_names
    from sipkurs.cases import DEFAULT_CASE, case_ids
    from sipkurs.serving.config import Limits
    from sipkurs.serving.logfile import LogPump, server_log
    from sipkurs.store import StoreError

    course_code = check_course_code(course_code)
    trainer_code = check_trainer_code(trainer_code)
    if archetype is not None and archetype not in archetype_names():
        raise click.UsageError(f"okänd arketyp '{archetype}'; välj en av: {', '.join(archetype_names())}")
    if case_id is not None and case_id not in case_ids():
        raise click.UsageError(f"okänt fall '{case_id}'; välj ett av: {', '.join(case_ids())}")
    if case_id and archetype:
        raise click.UsageError("använd antingen --case eller --archetype, inte båda")
    if self_study and (case_id or archetype):
        raise click.UsageError("vid självstudier väljer var och en sitt fall; ange inte --case eller --archetype")
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise click.UsageError("--public-url ska börja med http:// eller https://")
    _check_host(host)
    from sipkurs.links import PUBLIC_URL_SETTING
    from sipkurs.selfstudy import MODE_SETTING, SELF_STUDY, SELF_STUDY_COURSE

    if self_study:
        course_code = course_code or SELF_STUDY_COURSE
    store = _store(db)
    try:
        existing = store.course(course_code) if course_code else None
        if existing is not None:
            # A restart continues the course as it is; anything given must agree with it (changes: 'sipkurs course').
            studying = store.setting(MODE_SETTING, course=existing.code) == SELF_STUDY
            if studying != self_study:
                raise UserError(
                    f"kursen {existing.code} är {'en självstudiekurs' if studying else 'en kurs med utbildare'}; "
                    f"starta den {'med' if studying else 'utan'} --self-study"
                )
            if case_id == DEFAULT_CASE and not (existing.case_id or existing.archetype):
                case_id = None  # the course was started without --case: it has the default case already
        if seed is not None and not (archetype or (existing is not None and existing.archetype)):
            raise click.UsageError("--seed gäller bara genererade personer (--archetype); ett fall ur biblioteket har "
                                   "sina varianter")
        course, trainer = store.start_course(
            course_code, case_id=case_id or "", archetype=archetype or "", seed=seed, trainer_code=trainer_code
        )
        participants = next((c.participants for c in store.courses() if c.course.code == course.code), 0)
        if self_study:
            store.set_setting(MODE_SETTING, SELF_STUDY, course=course.code)
        shown = host if host not in ("0.0.0.0", "::", "") else socket.gethostname()
        base = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
        store.set_setting(PUBLIC_URL_SETTING, (public_url or base).rstrip("/"))  # where seat links point
    except StoreError as exc:
        raise UserError(str(exc)) from None
    finally:
        url = store.url
        store.close()
    from simulator.library import library_errors

    for problem in library_errors():  # the course runs without these files; the trainer page shows them too
        click.echo(f"Varning: fallbiblioteket: {problem} (filen används inte förrän felet är rättat)", err=True)
    if course.case_id and course.case_id not in case_ids():  # a reopened course whose case has left the library
        raise UserError(f"kursens fall '{course.case_id}' finns inte i fallbiblioteket (se varningarna ovan); rätta "
                        f"filen, eller byt fall med 'sipkurs course change {course.code} --case …'")
    limits = Limits(max_per_address=max_per_address, abandoned_timeout=cull_idle, idle_timeout=idle_timeout)
    if max_kernels is not None:
        limits.max_kernels = max_kernels
    config = serve_config(host, port, pool_size, limits)
    config.proxy = proxy
    folder = Path(config.folder)
    missing = [p.notebook for p in config.pages if not (folder / p.notebook).is_file()]
    if missing:
        raise UserError(f"hittar inte {', '.join(missing)} i {folder}")
    if not _port_free(host, port):
        raise UserError(f"porten {port} på {host} är upptagen; välj en annan med --port")
    logger, log_path = server_log(port)
    logger.info("--- sipkurs serve startar: kurs %s på %s:%d", course.code, host, port)

    runtime = Path(tempfile.mkdtemp(prefix="sipkurs-serve-"))  # private (0700): the config and the kernels' sockets
    config.dump(runtime / "serve.json")
    env = {**os.environ, "SIPKURS_DB": url, "PYTHONUNBUFFERED": "1"}
    if self_study:
        env["SIPKURS_SELF_STUDY"] = course.code  # the app's join page: no course code, choose a case after joining
    # Voila's, the kernels' and our server's messages go, redacted, to the private log; the terminal shows only ours.
    proc = subprocess.Popen(
        [sys.executable, "-m", "sipkurs.serving", str(runtime / "serve.json")],
        cwd=runtime, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    pump = LogPump(proc.stdout, logger)
    pump.start()

    stopping = []

    def stop(*_args) -> None:
        stopping.append(True)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C stops the course even if our parent ignored it
    try:
        if not _wait_listening(host, port, proc):
            stop()
            raise UserError(f"servern startade inte; se loggen {log_path}")
        lim = config.limits
        click.echo(f"Kursen {course.code} är ny och igång." if trainer is not None else
                   f"Kursen {course.code} är igång igen: samma fall och lärarkod, {participants} deltagare sedan förut.")
        public = (public_url or base).rstrip("/")  # the address participants use (the proxy's, when there is one)
        click.echo(f"  Deltagare:  {public}/?kurs={course.code}")
        click.echo(f"  Kurskod:    {course.code}")
        click.echo("  Fall:       var och en väljer sitt fall (självstudier)" if self_study
                   else f"  Fall:       {course.case_id or DEFAULT_CASE}" if not course.archetype
                   else f"  Fall:       genererade personer av arketypen {course.archetype}, frö {course.seed}")
        if config.trainer_page is not None:
            click.echo(f"  Utbildare:  {public}/utbildare?kurs={course.code}")
        if trainer is not None:
            click.echo(f"  Lärarkod:   {trainer}   (visa den inte för deltagarna)")
        else:
            click.echo(f"  Lärarkod:   oförändrad (ny kod: sipkurs course change {course.code} --new-trainer-code)")
        click.echo(f"  Lagring:    {_safe_url(url)}")
        click.echo(f"  Gränser:    högst {lim.max_kernels} sidor samtidigt ({lim.max_per_address} per adress), "
                   f"{config.pool_size} förvärmda; en sida utan aktivitet stängs efter {lim.idle_timeout // 60} min")
        click.echo(f"  Logg:       {log_path}")
        again = " ".join([f"sipkurs serve --course {course.code}", *restart_options(
            db=db if db and db != os.environ.get("SIPKURS_DB") else None, host=host, port=port, pool_size=pool_size,
            proxy=proxy, self_study=self_study, public_url=public_url)])
        click.echo(f"  Starta om:  {again}   (samma kurs, samma fall och lärarkod)")
        click.echo("Avsluta med Ctrl-C.", nl=True)
        sys.stdout.flush()
        if proc.wait() != 0 and not stopping:
            raise UserError(f"servern avslutades oväntat; se loggen {log_path}")
    except KeyboardInterrupt:
        click.echo("\nAvslutar …", err=True)
    finally:
        stop()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        pump.join(timeout=5)
        logger.info("--- sipkurs serve avslutad")
        for handler in logger.handlers:
            handler.close()
        shutil.rmtree(runtime, ignore_errors=True)


def _safe_url(url: str) -> str:
    """The store URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command()
@click.option("--course", "course_code", required=True, help="Kurskod.")
@click.option("--trainer-code", envvar="SIPKURS_TRAINER_CODE", required=True, help="Kursens lärarkod (även $SIPKURS_TRAINER_CODE).")
@click.option("--participant", "participant_id", type=click.IntRange(1, PARTICIPANT_MAX), help="Deltagarens nummer (kolumnen Nr i översikten).")
@click.option("--group", "group_name", help="I stället för en deltagare: gruppens namn (till exempel 'Grupp 1').")
@click.option("-f", "--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True, help="Format.")
@click.option("--db", envvar="SIPKURS_DB", help="Lagring: SQLite-fil eller SQLAlchemy-URL (även $SIPKURS_DB).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fil att skriva. Utan: HTML till skärmen.")
def export(course_code, trainer_code, participant_id, group_name, fmt, db, output) -> None:
    """Exportera en deltagares eller en grupps senast inlämnade plan (annars utkastet) med återkoppling."""
    from sipkurs import cases
    from sipkurs.export import ExportTooLarge, check_size, plan_html, plan_pdf
    from sipkurs.feedback import assess
    from sipkurs.store import StoreError

    from simulator.lookup import UnknownScenario

    if (participant_id is None) == (group_name is None):
        raise click.UsageError("ange antingen --participant NR eller --group NAMN")
    if fmt == "pdf" and output is None:
        raise click.UsageError("PDF kräver --output FIL")
    course_code = check_course_code(course_code)
    trainer_code = check_trainer_code(trainer_code)
    store = _store(db, must_exist=True)
    try:
        if group_name is not None:
            group = next(
                (g for g in store.groups(course_code, trainer_code) if g.name.casefold() == group_name.strip().casefold()),
                None,
            )
            if group is None:
                raise StoreError(f"gruppen '{group_name.strip()[:80]}' finns inte i kursen")
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
    try:
        check_size(data)  # before grading or rendering: an oversized plan is refused at once
    except ExportTooLarge as exc:
        raise UserError(str(exc)) from None
    feedback = assess(data, scenario)
    if fmt == "pdf":
        content = plan_pdf(data, feedback, name=name, submission=submission)
    else:
        content = plan_html(data, feedback, name=name, submission=submission).encode()
    if output is None:
        click.echo(content.decode(), nl=False)
        return
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise UserError(f"kunde inte skriva {output}: {os_error_sv(exc)}") from None
    click.echo(f"Skrev {output}", err=True)


COMMANDS = (serve, export)
