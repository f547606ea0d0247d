"""Running the exercise: phases, snapshots, events the trainer injects, who reads what, the debrief."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from sipkurs import cases, debrief, exercise
from sipkurs.live import LivePlan
from sipkurs.roleplay import form_group
from sipkurs.session import DraftSession
from sipkurs.store import Store, StoreError
from sipkurs.ui.trainer import TrainerApp

TRAINER = "LARARE-KOD12"


@pytest.fixture()
def course(store_url, tmp_path):
    store = Store(store_url)
    store.create_course("K", case_id="sjukskriven_utmattning", trainer_code=TRAINER)
    group = form_group(store, "K", TRAINER)
    seats = {s.role: s for s in group.seats}
    people = {
        role: store.claim_seat("K", seats[role].code, name)
        for role, name in (("vardcentral", "Vera"), ("forsakringskassan", "Fia"), ("personen", "Per"))
    }
    yield store, group, people, tmp_path
    store.close()


def _write(store, person, owner_id, path, value):
    page = LivePlan(store, person, owner_id)
    page.load()
    page.edit(path, value)
    assert page.flush()


def test_phases_advance_and_each_ends_with_an_immutable_snapshot(course):
    store, group, people, _ = course
    ids = exercise.phase_ids(group.scenario_id)
    assert len(ids) >= 3
    assert store.exercise(group.owner_id).phase_index == -1
    store.advance_group_phase("K", TRAINER, group.id, ids)
    _write(store, people["vardcentral"], group.owner_id, "chair", "Vera")
    state = store.advance_group_phase("K", TRAINER, group.id, ids)
    assert state.phase_index == 1 and [s.data for s in state.snapshots] == [{"chair": "Vera"}]
    for statement in ("UPDATE phase_snapshots SET phase_id = 'x'", "DELETE FROM phase_snapshots"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with pytest.raises(StoreError, match="lärarkod"):
        store.advance_group_phase("K", "GISSAD-KOD-1", group.id, ids)
    for _ in ids[2:]:
        store.advance_group_phase("K", TRAINER, group.id, ids)
    store.advance_group_phase("K", TRAINER, group.id, ids)  # past the last phase: over
    with pytest.raises(StoreError, match="avslutad"):
        store.advance_group_phase("K", TRAINER, group.id, ids)


def test_a_private_event_reaches_only_its_role_and_the_others_see_that_something_happened(course):
    store, group, people, _ = course
    store.advance_group_phase("K", TRAINER, group.id, exercise.phase_ids(group.scenario_id))
    payload = exercise.event_payload(group.scenario_id, "kurator_slutar")
    payload["private"] = True
    [delivery_id] = store.publish_event("K", TRAINER, [group.id], minute=None, **payload)
    vera = DraftSession(store, people["vardcentral"])
    fia = DraftSession(store, people["forsakringskassan"])
    [mine] = vera.notices()
    [theirs] = fia.notices()
    assert mine.mine and "Kuratorn" in mine.text
    assert not theirs.mine and "Kuratorn" not in theirs.text + theirs.title and "Vårdcentralen" in theirs.title
    fia.acknowledge(delivery_id)
    [status] = exercise.trainer_status(store, group.owner_id, 3)
    assert (status.acknowledged, status.members, status.changed_since) == (1, 3, False)
    _write(store, people["vardcentral"], group.owner_id, "contacts[K1]", 1)
    assert exercise.trainer_status(store, group.owner_id, 3)[0].changed_since
    outsider, _ = store.join("K", "Utanför", cases.scenario_for_variant)
    with pytest.raises(StoreError):
        store.acknowledge(outsider, delivery_id, group.owner_id)


def test_scheduled_events_fire_at_their_minute_unless_paused_or_skipped_and_survive_a_restart(course):
    store, group, people, tmp_path = course
    store.advance_group_phase("K", TRAINER, group.id, exercise.phase_ids(group.scenario_id))
    event = exercise.event_payload(group.scenario_id, "beslut_fk")
    due, paused, skipped, later = (
        store.publish_event("K", TRAINER, [group.id], minute=m, **event)[0] for m in (0.0, 0.0, 0.0, 30.0)
    )
    store.set_delivery_status("K", TRAINER, paused, "paused")
    store.set_delivery_status("K", TRAINER, skipped, "skipped")
    reopened = Store(store.url)  # as after a server restart
    assert reopened.fire_due(group.owner_id) == 1
    by_id = {d.id: d for d in reopened.deliveries(group.owner_id)}
    assert (by_id[due].status, by_id[paused].status, by_id[skipped].status, by_id[later].status) == (
        "delivered", "paused", "skipped", "scheduled"
    )
    DraftSession(reopened, people["personen"]).acknowledge(due)
    reopened.set_delivery_status("K", TRAINER, paused, "scheduled")
    assert reopened.fire_due(group.owner_id) == 1
    with pytest.raises(StoreError, match="redan skickad"):
        reopened.set_delivery_status("K", TRAINER, due, "paused")
    again = Store(store.url)
    assert again.exercise(group.owner_id).phase_index == 0
    assert people["personen"].id in {d.id: d for d in again.deliveries(group.owner_id)}[due].acks
    reopened.close(), again.close()


def test_an_event_arrives_with_the_plan_as_it_was(course):
    store, group, people, _ = course
    store.advance_group_phase("K", TRAINER, group.id, exercise.phase_ids(group.scenario_id))
    _write(store, people["vardcentral"], group.owner_id, "wishes", "Före händelsen")
    [d] = store.publish_event("K", TRAINER, [group.id], minute=None, **exercise.event_payload(group.scenario_id, "beslut_fk"))
    _write(store, people["vardcentral"], group.owner_id, "wishes", "Efter händelsen")
    [delivery] = store.deliveries(group.owner_id)
    assert delivery.before == {"wishes": "Före händelsen"} and delivery.rev_at_delivery == 1


def test_the_trainer_writes_an_event_of_their_own(course):
    store, group, people, _ = course
    payload = exercise.custom_payload("Brand i boendet", "Lägenheten är obeboelig i två veckor.", ["personen"], False)
    store.publish_event("K", TRAINER, [group.id], minute=None, **payload)
    [notice] = DraftSession(store, people["vardcentral"]).notices()
    assert notice.title == "Brand i boendet" and not notice.mine and "Personen" in notice.who
    with pytest.raises(StoreError, match="rubrik"):
        store.publish_event("K", TRAINER, [group.id], minute=None, **exercise.custom_payload(" ", "x", [], False))


def test_alone_the_participant_runs_the_phases_and_the_case_events_come_by_themselves(course):
    store, _, _, _ = course
    p, _ = store.join("K", "Solo", cases.scenario_for_variant)
    session = DraftSession(store, p)
    ids = exercise.phase_ids(session.scenario_id)
    for i in range(len(ids)):
        session.next_phase()
        state = session.exercise_state()
        assert state.phase_index == i
        expected = {e["event_id"] for e in exercise.case_events(session.scenario_id) if e["phase"] in ids[: i + 1]}
        assert {d.event_id for d in store.deliveries(p.owner_id)} == expected
    session.next_phase()
    with pytest.raises(StoreError, match="avslutad"):
        session.next_phase()


def test_the_trainer_page_runs_phases_and_events_and_shows_the_debrief(course):
    store, group, people, _ = course
    page = TrainerApp(store, "kurs=K")
    page.code.value = TRAINER
    page.login()
    controls = page.exercise
    controls.advance_button.click()
    assert "bytt" in controls.status.value and "Fas 1 av" in controls.table.value
    controls.event_choice.value = "beslut_fk"
    controls.minute.value = "2,5"
    controls.send_button.click()
    assert "schemalagd" in controls.status.value and "minut 2,5" in controls.table.value
    controls.minute.value = "nu"
    controls.send_button.click()
    assert "ingen minut" in controls.status.value
    controls.minute.value = ""
    controls.own_title.value = "<b>Egen</b>"
    controls.own_text.value = "Något nytt"
    controls.send_own_event()
    assert "&lt;b&gt;Egen&lt;/b&gt;" in controls.table.value and "<b>Egen" not in controls.table.value
    controls.scheduled.value = controls.scheduled.options[0][1]
    controls.pause_button.click()
    assert "pausad" in controls.table.value
    _write(store, people["vardcentral"], group.owner_id, "chair", "Vera")
    controls.advance_button.click()
    page.tabs.selected_index = 3
    body = page.debrief.body.value
    assert "Tidslinje: Grupp 1" in body and "Mötesledare" in body and "Reflektionsfrågor" in body
    assert TRAINER not in body and group.seats[0].code not in body
    page.show_projector(True)
    assert page.widget.children[-1] is page.debrief.body and "sip-projector" in page.widget._dom_classes
    page.show_projector(False)


def test_debrief_exports_and_diffs(course):
    store, group, people, _ = course
    ids = exercise.phase_ids(group.scenario_id)
    store.advance_group_phase("K", TRAINER, group.id, ids)
    page = LivePlan(store, people["vardcentral"], group.owner_id)
    page.load()
    row = page.add_row("needs", {"text": "Ekonomi"})
    page.edit("wishes", "Jobba halvtid")
    page.flush()
    store.advance_group_phase("K", TRAINER, group.id, ids)
    page.edit("wishes", "Jobba heltid")
    page.delete_row("needs", row)
    page.flush()
    store.advance_group_phase("K", TRAINER, group.id, ids)
    d = debrief.build(store, "K", TRAINER, group.id)
    [first, second] = [m for m in d.timeline if m.kind == "phase"]
    assert {(c.what, c.kind) for c in first.changes} >= {(f"Behov {row}", "tillagt"), ("Personens önskemål", "tillagt")}
    assert {(c.what, c.kind) for c in second.changes} >= {(f"Behov {row}", "borttaget"), ("Personens önskemål", "ändrat")}
    assert "Jobba heltid" in debrief.to_csv(d) or "Personens önskemål" in debrief.to_csv(d)
    data = json.loads(debrief.to_json(d))
    assert data["groups"][0]["name"] == "Grupp 1" and data["timeline"]
    assert debrief.to_pdf(d).startswith(b"%PDF-")
    assert isinstance(d.timeline[0].at, dt.datetime)


def test_an_event_rule_turns_from_failing_to_passing_when_the_plan_is_revised(course):
    store, group, people, _ = course
    store.advance_group_phase("K", TRAINER, group.id, exercise.phase_ids(group.scenario_id))
    session = DraftSession(store, people["personen"])
    session.live.load()
    session.live.edit("consent.scope", "Vårdcentralen, Försäkringskassan och Arbetsförmedlingen får ta del av läkarintygen.")
    session.live.flush()
    assert not [i for i in session.feedback().items if i.family == "events" and i.event]  # no event yet
    store.publish_event("K", TRAINER, [group.id], minute=None,
                        **exercise.event_payload(group.scenario_id, "samtycke_begransas"))
    session.refresh_settings()
    [rule] = [i for i in session.feedback().items if i.event == "samtycke_begransas"]
    assert rule.code == "E001" and rule.status == "fail"
    session.live.edit("consent.scope", "Vårdcentralen och Försäkringskassan får ta del av läkarintygen. Från och med "
                                       "nu får Arbetsförmedlingen inte ta del av läkarintygen eller planen.")
    session.live.flush()
    [rule] = [i for i in session.feedback().items if i.event == "samtycke_begransas"]
    assert rule.status == "pass"
    d = debrief.build(store, "K", TRAINER, group.id)
    [moment] = [m for m in d.timeline if m.kind == "event"]
    [shift] = [s for s in moment.shifts if s.code == "E001"]
    assert (shift.before, shift.after) == ("saknas", "godkänd") and "efter ”Samtycket ändras”" in shift.title
