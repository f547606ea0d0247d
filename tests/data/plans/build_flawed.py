"""Build the flawed plans of the labelled set from the model plans (utmarkt.json), one named mutation each.

Run after changing a model plan:  .venv/bin/python tests/data/plans/build_flawed.py
The flawed plans and expectations.yaml are committed so trainers can read them; the tests never rebuild them.
Each mutation declares what the graders must say: the rules that must not pass (with status), all others pass
(or do not apply).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import yaml

HERE = Path(__file__).parent
SJUK, PSYK, BARN, ALDRE = "sjukskriven-1-0", "psykos_missbruk-1-0", "barn_skolfranvaro-1-0", "aldre_utskrivning-1-0"

BYRAKRATI = (
    "Med anledning av att individens sammantagna livssituation kännetecknas av omfattande funktionsnedsättningar, "
    "långvariga sjukskrivningsperioder samt betydande ekonomiska svårigheter, vilka sammantaget föranleder behov av "
    "samordnade rehabiliteringsinsatser, bedöms det som ändamålsenligt att berörda myndigheter och verksamheter "
    "gemensamt initierar och vidareutvecklar en helhetsorienterad handlingsplan avseende individens arbetslivsinriktade "
    "rehabilitering, försörjningssituation och psykosociala förutsättningar, innefattande kontinuerliga "
    "avstämningsmöten och uppföljningsförfaranden i enlighet med gällande överenskommelser mellan huvudmännen."
)


def _effort(plan, effort_id):
    return next(e for e in plan["efforts"] if e["effort"] == effort_id)


def _drop_effort(plan, effort_id):
    plan["efforts"] = [e for e in plan["efforts"] if e["effort"] != effort_id]


def m_insats_utan_text(p):
    p["efforts"][0]["what"] = ""


def m_insats_utan_verksamhet(p):
    _effort(p, "lakarkontakt")["organisation"] = ""


def m_bara_kommunen(p):
    for e in p["efforts"]:
        if e["organisation"] == "bup":
            e["organisation"] = "socialtjanst_barn"
            e["effort"] = "foraldrastod"
            e["what"] = "Föräldrastöd från socialtjänsten, en gång i veckan."


def m_inga_andra_aktorer(p):
    _drop_effort(p, "personligt_ombud_stod")
    p["participants"] = [x for x in p["participants"] if x["organisation"] != "personligt_ombud"]
    p["contacts"] = [x for x in p["contacts"] if x["organisation"] != "personligt_ombud"]


def m_ansvar_hos_annan_aktor(p):
    p["overall_responsibility"] = {"principal": "Försäkringskassan", "organisation": "forsakringskassan",
                                   "person": "Ahmed Berg, handläggare"}


def m_ansvar_utan_person(p):
    p["overall_responsibility"]["person"] = ""


def m_ansvar_fel_verksamhet(p):
    p["overall_responsibility"]["principal"] = "region"


def m_utan_samtycke(p):
    p["consent"]["given"] = False


def m_samtycke_utan_omfattning(p):
    p["consent"]["scope"] = ""


def m_personen_inte_med(p):
    p["participants"] = [x for x in p["participants"] if "den enskilde" not in x["role"]]
    p["person_participation"] = ""


def m_narstaende_glomda(p):
    p["relatives_involvement"] = ""


def m_omaskerat_personnummer(p):
    p["concerns"]["personal_id"] = "19930502-2391"


def m_utan_datum(p):
    p["established"] = None


def m_deltagare_utan_roll(p):
    for x in p["participants"]:
        if x["organisation"] in ("socialtjanst_vuxen", "arbetsmarknadsenhet"):
            x["role"] = ""


def m_uppfoljning_utan_datum(p):
    p["follow_up"]["date"] = None


def m_uppfoljning_utan_sammankallande(p):
    p["follow_up"]["called_by"] = ""


def m_inget_om_planen_inte_fungerar(p):
    p["if_plan_fails"] = ""


def m_utan_aktuell_situation(p):
    p["current_situation"] = ""


def m_behov_utan_text(p):
    p["needs"][1]["text"] = ""


def m_utan_egna_resurser(p):
    p["own_resources"] = ""


def m_utan_narstaendes_resurser(p):
    p["relatives_resources"] = ""


def m_utan_onskemal(p):
    p["wishes"] = ""
    p["what_matters"] = ""


def m_mal_utan_delmal(p):
    parents = {g["id"]: g["parent"] for g in p["goals"] if g["kind"] == "sub_goal"}
    p["goals"] = [g for g in p["goals"] if g["kind"] == "long_term"]
    for e in p["efforts"]:
        e["goals"] = list(dict.fromkeys(parents.get(g, g) for g in e["goals"]))


def m_insatser_utan_koppling(p):
    for e in p["efforts"]:
        e["needs"], e["goals"] = [], []


def m_allt_planerat(p):
    for e in p["efforts"]:
        e["status"] = "planned"


def m_utan_utvardering(p):
    p["follow_up"]["evaluate"] = ""


def m_anhorigstod_saknas(p):
    _drop_effort(p, "anhorigstod")
    _effort(p, "dagverksamhet_demens")["needs"] = ["N2"]
    p["goals"] = [g for g in p["goals"] if g["id"] not in ("G3", "G3a")]
    for e in p["efforts"]:
        e["goals"] = [g for g in e["goals"] if g not in ("G3", "G3a")]


def m_tandvard_glomd(p):
    _drop_effort(p, "nodvandig_tandvard")
    p["needs"] = [n for n in p["needs"] if n["id"] != "N5"]
    p["goals"] = [g for g in p["goals"] if g["id"] not in ("G3", "G3a")]
    for e in p["efforts"]:
        e["needs"] = [n for n in e["needs"] if n != "N5"]
        e["goals"] = [g for g in e["goals"] if g not in ("G3", "G3a")]


def m_fel_aktor(p):
    _effort(p, "familjebehandling")["organisation"] = "bup"


def m_forsakringskassan_saknas(p):
    _drop_effort(p, "sjukpenning")
    p["participants"] = [x for x in p["participants"] if x["organisation"] != "forsakringskassan"]
    p["contacts"] = [x for x in p["contacts"] if x["organisation"] != "forsakringskassan"]


def m_skolans_insats_hos_kommunen(p):
    _effort(p, "atgardsprogram")["organisation"] = "socialtjanst_barn"


def m_malgrupp_inte_namnd(p):
    p["current_situation"] = p["current_situation"].split(" Elvis tillhör målgruppen")[0]


def m_utskrivning_sent(p):
    p["established"] = "2026-11-18"


def m_pagaende_som_planerad(p):
    _effort(p, "dagverksamhet_demens")["status"] = "planned"


def m_vaga_mal(p):
    for g in p["goals"]:
        if g["kind"] == "sub_goal":
            g["text"] = {"G1a": "Elisabeth ska må bättre i skolan.", "G1b": "Elisabeth ska känna sig lugnare.",
                         "G2a": "Familjen ska få det bättre tillsammans."}[g["id"]]
            g["measure"], g["due"] = "", None


def m_krangligt_sprak(p):
    # The same officialese appended to every field: each field keeps its own content (no copies), the whole reads badly.
    for key in ("current_situation", "own_resources", "relatives_resources", "wishes", "person_participation",
                "relatives_involvement", "if_plan_fails"):
        p[key] = f"{p[key]} {BYRAKRATI}"
    p["follow_up"]["evaluate"] = f"{p['follow_up']['evaluate']} {BYRAKRATI}"


def m_oforklarade_forkortningar(p):
    text = json.dumps(p, ensure_ascii=False)
    text = text.replace("barn- och ungdomspsykiatrin (BUP)", "BUP").replace("barn- och ungdomspsykiatrin", "BUP")
    p.clear()
    p.update(json.loads(text))


def m_utan_egna_ord(p):
    p["what_matters"] = ""
    for g in p["goals"]:
        g["own_words"] = False


def m_stavfel(p):
    for right, wrong in (("sjukskriven", "sjukskrieven"), ("anställning", "anstälning"), ("tillbaka", "tilbaka"),
                         ("längre", "längere"), ("mitten", "mittn")):
        p["current_situation"] = p["current_situation"].replace(right, wrong)


def m_personalens_mal(p):
    staff = {"G1": "Elvis följer läkemedelsordinationen och deltar i behandlingen.",
             "G2": "Elvis sköter hyresavtalet enligt kontraktet."}
    for g in p["goals"]:
        if g["id"] in staff:
            g["text"] = staff[g["id"]]


def m_fackord(p):
    p["current_situation"] += (" Agnes uppvisar kognitiv svikt med nedsatt exekutiv förmåga, ortostatisk hypotension"
                               " och fallbenägenhet. Polyfarmaci föreligger. Inkontinensproblematik och malnutrition"
                               " konstateras. Hon är desorienterad nattetid.")


def m_html_i_texten(p):
    p["group"] = "<b>Grupp 3</b>"
    p["what_matters"] += " <script>alert('hej')</script> & \"citat\""


# name: (model plan, mutation, {rule: status that must be reported}); every other rule must pass or not apply.
MUTATIONS = {
    "insats-utan-text": (SJUK, m_insats_utan_text, {"L001": "partial"}),
    "insats-utan-verksamhet": (SJUK, m_insats_utan_verksamhet, {"L002": "partial", "K002": "partial"}),
    "bara-kommunen": (BARN, m_bara_kommunen, {"L002": "partial", "K001": "partial"}),
    "inga-andra-aktorer": (PSYK, m_inga_andra_aktorer, {"L003": "fail"}),
    "ansvar-hos-annan-aktor": (SJUK, m_ansvar_hos_annan_aktor, {"L004": "fail", "K003": "fail"}),
    "ansvar-utan-person": (PSYK, m_ansvar_utan_person, {"L004": "partial"}),
    "ansvar-fel-verksamhet": (ALDRE, m_ansvar_fel_verksamhet, {"L004": "partial", "K003": "partial"}),
    "utan-samtycke": (BARN, m_utan_samtycke, {"L005": "fail"}),
    "samtycke-utan-omfattning": (SJUK, m_samtycke_utan_omfattning, {"L005": "partial"}),
    "personen-inte-med": (PSYK, m_personen_inte_med, {"L006": "fail"}),
    "narstaende-glomda": (ALDRE, m_narstaende_glomda, {"L007": "fail"}),
    "omaskerat-personnummer": (SJUK, m_omaskerat_personnummer, {"F001": "fail"}),
    "utan-datum": (SJUK, m_utan_datum, {"F002": "fail"}),
    "deltagare-utan-roll": (SJUK, m_deltagare_utan_roll, {"F003": "partial"}),
    "uppfoljning-utan-datum": (BARN, m_uppfoljning_utan_datum, {"F004": "partial"}),
    "uppfoljning-utan-sammankallande": (PSYK, m_uppfoljning_utan_sammankallande, {"F004": "partial"}),
    "inget-om-planen-inte-fungerar": (ALDRE, m_inget_om_planen_inte_fungerar, {"F005": "fail"}),
    "utan-aktuell-situation": (SJUK, m_utan_aktuell_situation, {"C001": "fail"}),
    "behov-utan-text": (BARN, m_behov_utan_text, {"C002": "partial", "C007": "partial"}),
    "utan-egna-resurser": (PSYK, m_utan_egna_resurser, {"C003": "fail"}),
    "utan-narstaendes-resurser": (ALDRE, m_utan_narstaendes_resurser, {"C004": "fail"}),
    "utan-onskemal": (SJUK, m_utan_onskemal, {"C005": "partial", "Q004": "partial"}),
    "mal-utan-delmal": (PSYK, m_mal_utan_delmal, {"C006": "fail"}),
    "insatser-utan-koppling": (SJUK, m_insatser_utan_koppling, {"C007": "fail"}),
    "allt-planerat": (PSYK, m_allt_planerat, {"C008": "partial", "K007": "fail"}),
    "utan-utvardering": (BARN, m_utan_utvardering, {"C009": "fail"}),
    "anhorigstod-saknas": (ALDRE, m_anhorigstod_saknas, {"K001": "partial"}),
    "tandvard-glomd": (PSYK, m_tandvard_glomd, {"K001": "partial"}),
    "fel-aktor": (BARN, m_fel_aktor, {"K002": "partial", "L002": "partial"}),
    "forsakringskassan-saknas": (SJUK, m_forsakringskassan_saknas, {"K004": "partial"}),
    "skolans-insats-hos-kommunen": (BARN, m_skolans_insats_hos_kommunen, {"K002": "partial", "K004": "partial"}),
    "malgrupp-inte-namnd": (PSYK, m_malgrupp_inte_namnd, {"K005": "fail"}),
    "utskrivning-sent": (ALDRE, m_utskrivning_sent, {"K006": "fail", "F006": "partial"}),
    "pagaende-som-planerad": (ALDRE, m_pagaende_som_planerad, {"K007": "partial"}),
    "vaga-mal": (BARN, m_vaga_mal, {"Q001": "fail"}),
    "krangligt-sprak": (SJUK, m_krangligt_sprak, {"Q002": "fail"}),
    "oforklarade-forkortningar": (BARN, m_oforklarade_forkortningar, {"Q003": "fail"}),
    "utan-egna-ord": (ALDRE, m_utan_egna_ord, {"Q004": "fail"}),
    "stavfel": (SJUK, m_stavfel, {"Q005": "partial"}),
    "personalens-mal": (PSYK, m_personalens_mal, {"K008": "partial"}),
    "fackord": (ALDRE, m_fackord, {"Q006": "partial"}),
    "html-i-texten": (SJUK, m_html_i_texten, {}),
}


def _default(o):
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    raise TypeError(o)


def build() -> dict:
    expectations = {}
    for sid in (SJUK, PSYK, BARN, ALDRE):
        expectations[f"{sid}/utmarkt.json"] = {"scenario": sid, "mutation": None, "expect": {}}
    for name, (sid, mutate, expect) in MUTATIONS.items():
        plan = json.loads((HERE / sid / "utmarkt.json").read_text(encoding="utf-8"))
        plan = copy.deepcopy(plan)
        mutate(plan)
        plan["group"] = plan["group"] if name == "html-i-texten" else f"Brist: {name}"
        rel = f"{sid}/brist-{name}.json"
        (HERE / rel).write_text(json.dumps(plan, ensure_ascii=False, indent=2, default=_default) + "\n", encoding="utf-8")
        expectations[rel] = {"scenario": sid, "mutation": name, "expect": dict(expect)}
    header = ("# The labelled set: for every plan the rules that must NOT pass, with their status; every other rule must\n"
              "# pass (or not apply). Written by build_flawed.py; edit the mutation there, not here.\n")
    (HERE / "expectations.yaml").write_text(header + yaml.safe_dump(expectations, allow_unicode=True, sort_keys=True),
                                            encoding="utf-8")
    return expectations


if __name__ == "__main__":
    print(f"{len(build())} planer")
