"""The ``sipkurs`` command line. Every message is Swedish; bad input gives one line on stderr and a non-zero code."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
import yaml

from sipkurs import __version__, clisv
from sipkurs.errors import UserError, os_error_sv

clisv.install()
# The library logs refused case files for the server's log; a command prints them itself, as one Swedish line each.
logging.getLogger("simulator.library").addHandler(logging.NullHandler())
logging.getLogger("simulator.library").propagate = False

FORMATS = ("json", "yaml", "md")


class ArchetypeChoice(click.ParamType):
    """An archetype id; an unknown one names all valid choices (loaded lazily so --help stays fast)."""

    name = "arketyp"

    def convert(self, value, param, ctx):
        from simulator.engine import archetype_names

        names = archetype_names()
        if value not in names:
            self.fail(f"okänd arketyp '{value}'; välj en av: {', '.join(names)}", param, ctx)
        return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sipkurs", message="%(prog)s %(version)s")
def cli() -> None:
    """Övningsmiljö för samordnad individuell plan (SIP)."""


@cli.command()
def archetypes() -> None:
    """Lista arketyperna som simulatorn kan generera fall från."""
    from simulator.archetypes import load_archetypes

    for a in load_archetypes().values():
        click.echo(f"{a.id:28} {a.name}")


@cli.command()
def catalogue() -> None:
    """Skriv katalogen (verksamheter, behov, insatser) som Markdown."""
    from simulator.catalogue_doc import catalogue_markdown

    click.echo(catalogue_markdown(), nl=False)


@cli.command()
@click.option("-a", "--archetype", type=ArchetypeChoice(), help="Arketyp (se 'sipkurs archetypes'). Utan: blandat.")
@click.option("-s", "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Frö: samma frö ger samma fall.")
@click.option("-n", "--count", type=click.IntRange(min=1, max=100_000), default=1, show_default=True, help="Antal fall.")
@click.option("--variants", type=click.IntRange(min=1, max=1000), help="Antal olika personer av samma arketyp, en per deltagare.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True, help="Utdataformat.")
@click.option("--facit", is_flag=True, help="Ta med facit (för utbildaren) i fallbeskrivningen.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Skriv till fil i stället för skärmen.")
def generate(archetype, seed, count, variants, fmt, facit, output) -> None:
    """Generera fiktiva personer med behov från flera verksamheter, med facit."""
    from simulator.casecard import case_card
    from simulator.engine import generate_many, generate_variants

    if variants is not None:
        if archetype is None:
            raise click.UsageError("--variants kräver --archetype (varianter är personer av samma arketyp)")
        if count != 1:
            raise click.UsageError("använd antingen --count eller --variants, inte båda")
        scenarios = generate_variants(archetype, variants, seed)
    else:
        scenarios = generate_many(count, seed, archetype)

    if fmt == "md":
        text = "\n---\n\n".join(case_card(s, facit=facit) for s in scenarios)
    else:
        data = [s.model_dump(mode="json") for s in scenarios]
        payload = data[0] if len(data) == 1 else data
        if fmt == "json":
            text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        else:
            text = yaml.safe_dump(payload, allow_unicode=True, sort_keys=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"kunde inte skriva {output}: {os_error_sv(exc)}") from None
        click.echo(f"Skrev {len(scenarios)} fall till {output}", err=True)


for _command in __import__("sipkurs.cli_grade").cli_grade.COMMANDS: cli.add_command(_command)  # noqa: E702
for _command in __import__("sipkurs.cli_app").cli_app.COMMANDS: cli.add_command(_command)  # noqa: E702
for _command in __import__("sipkurs.cli_group").cli_group.COMMANDS: cli.add_command(_command)  # noqa: E702
for _command in __import__("sipkurs.cli_course").cli_course.COMMANDS: cli.add_command(_command)  # noqa: E702
from sipkurs.cli_scenario import scenario  # noqa: E402

cli.add_command(scenario)


def _one_line(message: str) -> str:
    """One line: whitespace collapsed, invisible characters shown as '?', absurdly long words (a pasted number of
    thousands of digits) shortened."""
    words = ("".join(c if c.isprintable() else "?" for c in w) for w in message.split())
    return " ".join(w if len(w) <= 80 else f"{w[:40]}…({len(w)} tecken)" for w in words)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the click group and turns every user error into one Swedish line and an exit code."""
    try:
        result = cli.main(args=argv, prog_name="sipkurs", standalone_mode=False)
    except click.exceptions.UsageError as exc:  # bad command, option or value
        click.echo(f"sipkurs: fel: {_one_line(exc.format_message())}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("sipkurs: avbrutet", err=True)
        sys.exit(130)
    except UserError as exc:
        click.echo(f"sipkurs: fel: {_one_line(str(exc))}", err=True)
        sys.exit(exc.code)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
