"""The catalogue as a Swedish reference page (docs/katalog.md), generated from catalogue.yaml so it never drifts."""

from __future__ import annotations

from simulator.catalogue import Catalogue, OrgKind, load_catalogue


def _with_ages(org) -> str:
    if org.ages is None:
        return org.name
    lo, hi = org.ages
    return f"{org.name} ({lo}–{hi} år)" if hi < 100 else f"{org.name} (från {lo} år)"


def catalogue_markdown(catalogue: Catalogue | None = None) -> str:
    cat = catalogue or load_catalogue()
    org = cat.organisation_by_id
    out = [
        "# Katalogen: verksamheter, behov och insatser",
        "",
        "*Genererad från `simulator/data/catalogue.yaml` med `sipkurs catalogue > docs/katalog.md`; redigera inte för hand.*",
        "",
        "Typisk ansvarsfördelning; lokala överenskommelser kan skilja sig.",
        "",
        "## Huvudmän och verksamheter",
        "",
    ]
    for p in cat.principals:
        units = [o for o in cat.organisations if o.principal == p.id]
        out.append(f"- **{p.name}:** " + "; ".join(_with_ages(o) for o in units))
    others = [o for o in cat.organisations if o.kind is OrgKind.other_actor]
    out += ["", "## Andra aktörer än kommun och region", ""] + [f"- {_with_ages(o)}" for o in others]
    out += ["", "## Behovsområden och insatser", ""]
    for area in cat.need_areas:
        out += [f"### {area.name}", "", "| Insats | Vem kan ge den |", "|---|---|"]
        for e in cat.efforts_for_area(area.id):
            out.append(f"| {e.name} | {', '.join(org[p].short for p in e.providers)} |")
        out.append("")
    out += ["## När ska huvudmännen utgå från att en SIP behövs?", ""]
    conditions = {c.id: c.name for c in cat.conditions}
    out += [f"- **{g.name}** ({' + '.join(conditions[c] for c in g.all_of)})" for g in cat.presumption_groups]
    out += ["", "## Signaler på behov av samordning", ""] + [f"- {s.text}" for s in cat.signals]
    out += ["", "## Målgrupper", ""] + [f"- {t.name}" for t in cat.target_groups]
    out += ["", "## Förkortningar", "", "| Förkortning | Betydelse |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in cat.abbreviations.items()]
    return "\n".join(out) + "\n"
