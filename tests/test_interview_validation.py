"""The interview part of a case file: every mistake is reported at its file:line:column with a Swedish message, and
the interview made from case data (for a case without one) passes the same checks."""

from __future__ import annotations

import pytest

from simulator.case_validation import load_case_text
from simulator.interview_defaults import complete_interview
from simulator.interview_validation import interview_errors
from simulator.library import SCENARIOS_DIR, load_library

BASE = (SCENARIOS_DIR / "sjukskriven_utmattning.yaml").read_text(encoding="utf-8")
CHILD = (SCENARIOS_DIR / "barn_skolfranvaro_npf.yaml").read_text(encoding="utf-8")
HESITANT = (SCENARIOS_DIR / "psykos_missbruk_boende.yaml").read_text(encoding="utf-8")


def position(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1


def errors_of(text: str, old: str, new: str) -> tuple[str, list]:
    assert text.count(old) == 1, old
    changed = text.replace(old, new)
    case, errors = load_case_text(changed, "fall.yaml")
    assert case is None and errors
    return changed, errors


def only(text: str, old: str, new: str):
    changed, errors = errors_of(text, old, new)
    assert len(errors) == 1, [str(e) for e in errors]
    return changed, errors[0]


def test_the_library_interviews_are_valid():
    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        case, errors = load_case_text(path.read_text(encoding="utf-8"), path.name)
        assert errors == [] and case.interview is not None, path.name


def test_a_reveal_that_names_no_hidden_item_is_placed_and_suggests_the_right_one():
    text, errors = errors_of(BASE, "reveals: [ekonomin hemma]", "reveals: [ekonomi hemma]")
    assert len(errors) == 2  # the wrong reference, and the hidden item that no question reveals now
    err = next(e for e in errors if e.path.endswith("reveals[0]"))
    assert (err.line, err.column) == position(text, "ekonomi hemma]")
    assert err.path == "interview.person.economy[1].reveals[0]"
    assert "ingen dold information hos personen har ask 'ekonomi hemma'" in err.message
    assert "menar du 'ekonomin hemma'" in err.message
    assert str(err).startswith(f"fall.yaml:{err.line}:{err.column}: interview.person.economy[1].reveals[0]:")


def test_a_hidden_item_no_question_reveals_is_an_error():
    _, errors = errors_of(BASE, "        reveals: [ekonomin hemma]\n", "")
    messages = [e.message for e in errors]
    assert any("ingen fråga avslöjar den dolda informationen 'ekonomin hemma' (person.hidden[0])" in m for m in messages)


def test_follow_ups_must_name_an_earlier_question_of_the_same_speaker():
    text, err = only(BASE, "after: [arbete_framat]", "after: [arbete_framt]")
    assert err.path == "interview.person.everyday[3].after[0]"
    assert "okänd fråga 'arbete_framt'" in err.message and "menar du 'arbete_framat'" in err.message
    assert (err.line, err.column) == position(text, "arbete_framt]")


def test_a_circle_of_follow_ups_is_found():
    old = "      - id: arbete_framat\n        ask:"
    _, errors = errors_of(BASE, old, "      - id: arbete_framat\n        after: [forsoket]\n        ask:")
    assert {e.path for e in errors} == {"interview.person.everyday[2].after", "interview.person.everyday[3].after"}
    assert all("cirkel" in e.message for e in errors)


def test_question_ids_and_phrasings_are_unique_per_speaker():
    _, err = only(BASE, "      - id: jobbet\n", "      - id: dagarna\n")
    assert err.path == "interview.person.everyday[1].id" and "frågan 'dagarna' finns redan" in err.message
    _, err = only(BASE, '"Berätta om ditt förra arbete."', '"Hur fyller du dagarna?"')
    assert err.path == "interview.person.everyday[1].ask[1]" and "samma formulering finns redan i frågan 'dagarna'" in err.message


def test_an_unknown_topic_is_a_schema_error_at_its_key():
    text, err = only(BASE, "    housing:\n      - id: boendet", "    boende:\n      - id: boendet")
    assert err.path == "interview.person.boende" and "okänt fält" in err.message
    assert (err.line, err.column) == position(text, "boende:\n")


def test_a_role_interview_needs_a_role_card():
    text, err = only(BASE, "    - organisation: arbetsmarknadsenhet\n      knows:", "    - organisation: arbetsmarknadsenhe\n      knows:")
    assert err.path.endswith("organisation") and "inget rollkort för 'arbetsmarknadsenhe'" in err.message
    assert "menar du 'arbetsmarknadsenhet'" in err.message


def test_by_names_someone_in_the_network():
    _, err = only(CHILD, "        by: pappa\n        hesitant: true", "        by: farbror\n        hesitant: true")
    assert err.path.endswith(".by") and "'farbror' finns inte i personens nätverk" in err.message


def test_consent_is_said_by_a_guardian_for_a_child():
    text = CHILD.replace("        by: pappa\n        hesitant: true\n", "        hesitant: true\n")
    _, errors = errors_of(text, "      - id: samtycke\n        by: mamma\n", "      - id: samtycke\n")
    assert any("låt en vårdnadshavare svara" in e.message for e in errors)


def test_a_hesitant_consent_hesitates_and_its_limit_is_said():
    _, err = only(HESITANT, "      - id: samtycke\n        hesitant: true\n", "      - id: samtycke\n")
    assert err.path == "interview.person.consent" and "inget svar tvekar" in err.message
    text = HESITANT.replace("hyresvärden", "värden").replace("Inga uppgifter lämnas till värden.", "Inga uppgifter lämnas till hyresvärden.")
    case, errors = load_case_text(text, "fall.yaml")
    assert any("samtyckets begränsning" in e.message for e in errors), [str(e) for e in errors]


def test_an_answer_that_gives_the_facit_away_is_a_leak():
    old = "          Jag kan erbjuda matchning och förberedande insatser."
    _, err = only(BASE, old, "          Jag kan erbjuda matchning. Hon behöver samtalsbehandling.")
    assert err.path.endswith(".answer") and "nämner den förväntade insatsen 'Samtalsbehandling'" in err.message


def test_placeholders_in_the_interview_are_checked_like_the_rest():
    _, err = only(BASE, "            {namn} är inskriven", "            {förnamn} är inskriven")
    assert err.path.startswith("interview.roles[") and "okänd platshållare '{förnamn}'" in err.message


@pytest.mark.parametrize("case_id", sorted(load_library()))
def test_the_default_interview_of_every_case_passes_the_interview_checks(case_id, catalogue):
    """A case without an interview gets one made from its data; written out, it is a valid interview."""
    case = load_library()[case_id]
    bare = case.model_copy(update={"interview": None})
    made = complete_interview(bare)
    assert made.person.consent and made.roles and all(r.knows and r.offers for r in made.roles)
    assert interview_errors(bare.model_copy(update={"interview": made}), catalogue) == []
