"""Rule documentation generated from the registry: one rule as text (``sipkurs rules CODE``) and docs/regler.md."""

from __future__ import annotations

from graders.registry import Rule, family_names, rules, verdict_rules


def rule_text(r: Rule) -> str:
    when = f" · gäller efter en händelse med expects.{r.expects}" if r.expects else ""
    lines = [f"{r.code} {r.title}", f"Familj: {family_names()[r.family]} · vikt {r.weight:g}{when}", f"Källa: {r.source}", "",
             r.doc, "", f"Återkoppling när regeln inte uppfylls: {r.message.replace('{detail} ', '').replace(' {detail}', '')}"]
    if r.params:
        lines += ["", "Parametrar: " + "; ".join(f"{k} = {v}" for k, v in r.params.items())]
    return "\n".join(lines) + "\n"


def rules_markdown() -> str:
    out = [
        "# Bedömningsreglerna",
        "",
        "<!-- Genererad från graders/data/rules.yaml och graders/checks/ med `sipkurs rules --markdown`. Ändra inte för hand. -->",
        "",
        "Varje regel har en stabil kod (L lagkrav, F formalia, C checklista, K fallet, Q kvalitet, E händelser), en källa",
        "och en vikt. En regel blir *godkänd*, *delvis* eller *saknas*; regler om fallet (K) är *ej tillämpliga* när planen",
        "bedöms utan scenario, och regler om händelser (E) gäller bara efter en händelse som utbildaren (eller appen) har",
        "skickat till gruppen och som säger vad den reviderade planen ska visa; de bedöms en gång per sådan händelse,",
        "jämfört med planen som den var när händelsen kom. Poängen per familj och totalt är viktade medelvärden av de",
        "regler som är tillämpliga.",
        f"Saknas något av lagkraven {', '.join(verdict_rules().requirements)} (*saknas*) blir totalen högst "
        f"{round(verdict_rules().cap * 100)} %, under godkäntgränsen {round(verdict_rules().pass_mark * 100)} %.",
        "",
        "| Kod | Regel | Familj | Vikt | Källa |",
        "|---|---|---|---|---|",
    ]
    fams = family_names()
    out += [f"| {r.code} | {r.title} | {fams[r.family]} | {r.weight:g} | {r.source} |" for r in rules()]
    for family, name in fams.items():
        out += ["", f"## {name}", ""]
        for r in (x for x in rules() if x.family == family):
            when = f" · *gäller efter en händelse med:* `expects.{r.expects}`" if r.expects else ""
            out += [f"### {r.code} {r.title}", "", f"*Källa:* {r.source} · *vikt:* {r.weight:g}{when}", "",
                    " ".join(r.doc.split()), "",
                    f"*Återkoppling:* {r.message.replace(' {detail}', '').replace('{detail} ', '')}", ""]
            if r.params:
                out += ["*Parametrar:* " + "; ".join(f"`{k}` = {v}" for k, v in r.params.items()), ""]
    out += ["## Var reglerna finns", "",
            "Regeltexterna (titel, källa, vikt, återkoppling, parametrar) och godkäntgränsen finns i",
            "`graders/data/rules.yaml`, kontrollerna i `graders/checks/` (en modul per familj), matchningen av fallets behov",
            "och insatsernas fria text (K001, K002, K004, K007) i `graders/matching.py` med ordlistan",
            "`graders/data/efforts.yaml`, orden för målgrupperna där SIP ska förutsättas (K005) i",
            "`graders/data/case_terms.yaml`, förkortningarna (Q003) i `simulator/data/catalogue.yaml` och språkverktygen",
            "(grundformer, ordfrekvenser, stavning) i `graders/language.py`. Händelsereglerna (E) finns i",
            "`graders/checks/events.py`; vad varje händelse kräver står i fallets `events[].expects`",
            "(se [fallformat.md](fallformat.md)) och vilket fält en regel bedömer i regelns `expects`.", ""]
    return "\n".join(out).rstrip() + "\n"
