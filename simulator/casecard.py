"""The readable Swedish case card (Markdown) for a scenario: what participants read, and, for trainers, the facit."""

from __future__ import annotations

import re

from simulator.catalogue import Catalogue, load_catalogue
from simulator.models import ConsentStance, NetworkRole, Scenario

STANCE_LABELS = {
    ConsentStance.samtycker: "samtycker",
    ConsentStance.samtycker_med_begransning: "samtycker med begränsning",
    ConsentStance.tveksam: "är tveksam",
}
ROLE_LABELS = {
    NetworkRole.vardnadshavare: "vårdnadshavare",
    NetworkRole.narstaende: "närstående",
    NetworkRole.barn: "barn",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: str) -> str:
    """Escape text for Markdown so that a name or a sentence never turns into markup."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _months(n: int) -> str:
    return "denna månad" if n == 0 else ("för 1 månad sedan" if n == 1 else f"för {n} månader sedan")


def case_card(scenario: Scenario, *, facit: bool = False, catalogue: Catalogue | None = None) -> str:
    cat = catalogue or load_catalogue()
    p = scenario.person
    lines = [
        f"# {md(scenario.title)}",
        "",
        f"*Fiktivt fall · arketyp `{scenario.archetype}` · id `{scenario.id}`*",
        "",
        "## Personen",
        "",
        f"- **Namn:** {md(p.full_name)}",
        f"- **Ålder:** {p.age} år ({p.gender.value})",
        f"- **Personnummer:** {p.personal_id} (maskerat, fiktivt)",
        f"- **Kommun:** {md(p.kommun)}, {md(p.region)}",
        f"- **Boende:** {md(p.living)}",
        f"- **Skola eller arbete:** {md(p.occupation)}",
        "",
        "## Nätverk",
        "",
    ]
    if p.network:
        lines += ["| Namn | Relation | Roll | Ålder | Bor med | Resurser |", "|---|---|---|---|---|---|"]
        for m in p.network:
            lines.append(
                f"| {md(m.name)} | {md(m.relation)} | {ROLE_LABELS[m.role]} | {m.age} | {'ja' if m.lives_with else 'nej'} "
                f"| {md(' '.join(m.resources)) or '–'} |"
            )
    else:
        lines.append("Inga närstående är kända.")
    lines += ["", "## Aktuell situation", ""]
    lines += [f"- **{md(cat.area_by_id[n.area].name)}:** {md(n.description)}" for n in p.needs]
    lines += ["", "## Pågående insatser", ""]
    lines += [
        f"- {md(cat.effort(c.effort).name)} ({md(cat.organisation(c.organisation).short)})" for c in p.current_efforts
    ] or ["- Inga samordnade insatser pågår."]
    lines += ["", "## Det här har hänt", ""]
    lines += [f"- {_months(h.months_ago).capitalize()}: {md(h.text)}" for h in p.history] or ["- Inget särskilt."]
    lines += ["", "## Med egna ord", ""]
    lines += [f"> {md(w)}" + "  " for w in (*p.wishes, *(n.voice for n in p.needs if n.voice))]
    lines += ["", "**Mina mål:**", ""] + [f"- {md(g)}" for g in p.goals]
    lines += ["", "## Egna resurser", ""] + [f"- {md(r)}" for r in p.own_resources]
    lines += [
        "",
        "## Samtycke",
        "",
        f"Samtycket lämnas av {p.consent.given_by}, som {STANCE_LABELS[p.consent.stance]}: "
        f"”{md(p.consent.statement)}”",
    ]
    if p.consent.limit:
        lines.append(f"\nBegränsning: {md(p.consent.limit)}")
    if facit:
        lines += ["", *_facit(scenario, cat)]
    return "\n".join(lines) + "\n"


def _facit(scenario: Scenario, cat: Catalogue) -> list[str]:
    t = scenario.ground_truth
    names = lambda ids: ", ".join(cat.organisation(o).short for o in ids) or "–"  # noqa: E731
    lines = ["## Facit för utbildaren", "", "| Behov | Förväntade insatser | Vem kan ge dem |", "|---|---|---|"]
    need_by_id = {n.id: n for n in scenario.person.needs}
    for n in t.needs:
        efforts = ", ".join(cat.effort(e).name for e in n.expected_efforts)
        lines.append(f"| {md(cat.area_by_id[n.area].name)}: {md(need_by_id[n.need].description)} | {efforts} | {names(n.expected_providers)} |")
    groups = ", ".join(cat.presumption_group_by_id[g].name for g in t.presumption_groups)
    lines += [
        "",
        f"- **Aktörer som planen bör involvera:** {names(t.organisations)}",
        "- **Åtgärder av andra än kommun och region:** "
        + (", ".join(cat.effort(e).name for e in t.other_actor_efforts) or "–"),
        "- **Huvudmän som kan ha det övergripande ansvaret:** "
        + ", ".join(cat.principal_by_id[p].name.lower() for p in t.acceptable_overall),
        "- **SIP ska förutsättas behövas:** " + (f"ja ({groups})" if t.presumed_sip else "nej, men signalerna visar behov"),
        "- **Signaler:** " + (", ".join(cat.signal_by_id[s].text.lower() for s in t.signals) or "–"),
        "- **Insatser som redan ges:** " + (", ".join(cat.effort(e).name for e in t.efforts_in_place) or "–"),
    ]
    if t.discharge:
        lines.append("- **Utskrivning:** fast vårdkontakt kallar till SIP inom tre dagar från att personen är utskrivningsklar (lag 2017:612).")
    return lines
