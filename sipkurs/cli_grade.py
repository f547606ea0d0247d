"""``sipkurs grade`` (bedöm planfiler) and ``sipkurs rules`` (regeldokumentation)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sipkurs.errors import UserError, os_error_sv

FORMATS = ("json", "txt", "html")


def _plan_files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*.json") if f.is_file())
        else:
            files.append(p)
    return files


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PLAN_ELLER_MAPP...")
@click.option("-s", "--scenario", "scenario_id", help="Scenario-id för alla planer (annars planens scenario_id).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), help="Mapp för rapporter och klassammanställning.")
@click.option("-f", "--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Rapportformat (flera går bra med --out; standard där: alla). Utan --out skrivs ett format på skärmen.")
def grade(paths, scenario_id, out, formats) -> None:
    """Bedöm SIP-planer (filer eller mappar med .json) mot lagen, checklistorna och fallet."""
    from rich.console import Console
    from rich.progress import Progress

    from graders import PlanFileError, grade as grade_plan, load_plan
    from graders.render import percent, to_html, to_json, to_text
    from graders.summary import most_missed, write_csv, write_plot
    from simulator.lookup import UnknownScenario, get_scenario, is_scenario_file

    files = _plan_files(paths)
    if not files:
        raise UserError("inga planfiler (.json) hittades", 1)
    shown = None  # without --out, the one format asked for is what the screen shows
    if out is None and formats:
        if len(set(formats)) > 1:
            raise UserError("utan --out kan bara ett format skrivas på skärmen; ange --out för flera format", 2)
        shown = formats[0]
        if shown == "html" and len(files) > 1:
            raise UserError("HTML för flera planer kräver --out (en sida per plan)", 2)
    formats = formats or FORMATS
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"kunde inte skapa {out}: {os_error_sv(exc)}") from None
    scenarios: dict[str, object] = {}
    reports, plans, bad = [], [], 0
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("Bedömer planer", total=len(files))
        for path in files:
            progress.advance(task)
            try:
                plan = load_plan(path)
                sid = scenario_id or plan.scenario_id
                if not scenario_id and is_scenario_file(sid):  # a scenario file named in the plan lies beside it
                    sid = str(path.parent / sid)
                if sid and sid not in scenarios:
                    scenarios[sid] = get_scenario(sid)
            except PlanFileError as exc:
                bad += 1
                progress.console.print(f"sipkurs: fel: {exc}", markup=False, highlight=False, soft_wrap=True)
                continue
            except UnknownScenario as exc:
                bad += 1
                progress.console.print(f"sipkurs: fel: {path}: {exc}", markup=False, highlight=False, soft_wrap=True)
                continue
            report = grade_plan(plan, scenarios[sid] if sid else None, plan_name=str(path))
            reports.append(report)
            plans.append(plan)
            if out is not None:
                stem = _unique_stem(out, path, files)
                try:
                    if "json" in formats:
                        (out / f"{stem}.json").write_text(to_json(report), encoding="utf-8")
                    if "txt" in formats:
                        (out / f"{stem}.txt").write_text(to_text(report), encoding="utf-8")
                    if "html" in formats:
                        (out / f"{stem}.html").write_text(to_html(report, plan), encoding="utf-8")
                except OSError as exc:
                    raise UserError(f"kunde inte skriva i {out}: {os_error_sv(exc)}") from None
    if shown == "json":
        text = to_json(reports[0]) if len(files) == 1 and reports else \
            "[" + ",\n".join(to_json(r).rstrip() for r in reports) + "]\n"
        click.echo(text, nl=False)
        sys.exit(1 if bad else 0)
    if shown == "html" and reports:
        click.echo(to_html(reports[0], plans[0]), nl=False)
        sys.exit(1 if bad else 0)
    if shown == "txt" or (len(files) == 1 and reports and out is None):  # on screen: the whole feedback
        click.echo("\n".join(to_text(r) for r in reports), nl=False)
        sys.exit(1 if bad else 0)
    for r in reports:
        click.echo(f"{r.plan_name}: {percent(r.score)}" + ("" if r.scenario_id else " (utan fall)"))
    if reports:
        rows = most_missed(reports)
        missed = [row for row in rows if row["andel_ej_uppfyllda"] > 0][:5]
        if missed:
            click.echo("Oftast missade regler: " + ", ".join(f"{m['kod']} ({percent(m['andel_ej_uppfyllda'])})" for m in missed))
        if out is not None:
            try:
                write_csv(rows, out / "sammanstallning.csv")
                write_plot(rows, out / "sammanstallning.png")
            except OSError as exc:
                raise UserError(f"kunde inte skriva sammanställningen i {out}: {os_error_sv(exc)}") from None
            n = len(reports)
            click.echo(f"Skrev {n} {'rapport' if n == 1 else 'rapporter'} och en sammanställning till {out}", err=True)
    if bad:
        sys.exit(1)


def _unique_stem(out: Path, path: Path, files: list[Path]) -> str:
    """The report name: the plan's file name, prefixed by its folder names when two plans share a name."""
    same = [f for f in files if f.stem == path.stem]
    if len(same) == 1:
        return path.stem
    return "_".join(path.with_suffix("").parts[-3:]).replace("/", "_")


@click.command()
@click.argument("code", required=False, metavar="[KOD]")
@click.option("--markdown", is_flag=True, help="Skriv hela regeldokumentationen som Markdown (docs/regler.md).")
def rules(code, markdown) -> None:
    """Lista bedömningsreglerna, eller visa en regel (till exempel: sipkurs rules L004)."""
    from graders.registry import family_names, rule, rules as all_rules
    from graders.ruledocs import rule_text, rules_markdown

    if markdown:
        click.echo(rules_markdown(), nl=False)
        return
    if code:
        try:
            click.echo(rule_text(rule(code)), nl=False)
        except KeyError:
            raise UserError(f"okänd regel '{code}'; se 'sipkurs rules' för alla koder", 2) from None
        return
    fams = family_names()
    for r in all_rules():
        click.echo(f"{r.code}  {fams[r.family]:11} {r.title}")


COMMANDS = (grade, rules)
