"""The store: participants reached only by their personal code, autosaved drafts, append-only submissions."""

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from sipkurs.store import ImmutableSubmission, Store, StoreError, SubmissionRow, normalise_code


def _variant(course, n):
    return f"{course.archetype or 'psykos_missbruk'}-{course.seed}-{n}"


@pytest.fixture()
def store(course_store):
    return course_store("KURS1", "LARARE-KOD12")


def test_same_display_name_gives_separate_participants_and_drafts(store):
    anna1, secret1 = store.join("kurs1", "Anna Svensson", _variant)
    anna2, secret2 = store.join("KURS1", "  Anna   Svensson ", _variant)
    assert anna1.display_name == anna2.display_name == "Anna Svensson"
    assert secret1 != secret2 and anna1.owner_id != anna2.owner_id
    assert (anna1.variant, anna2.variant) == (0, 1)
    assert anna1.scenario_id != anna2.scenario_id
    store.save_draft(anna1, {"chair": "Första Anna"})
    assert store.load_draft(anna2) is None
    assert store.resume("KURS1", secret1).id == anna1.id
    assert store.resume("KURS1", secret2).id == anna2.id
    with pytest.raises(StoreError):  # one participant cannot write another's plan
        store.save_draft(anna2, {"chair": "x"}, owner_id=anna1.owner_id)


def test_resume_needs_the_right_course_and_code(store):
    store.create_course("KURS2", trainer_code="ANNAN-KOD-99")
    p, secret = store.join("KURS1", "Bo", _variant)
    assert store.resume("KURS1", secret.lower().replace("-", " ")).id == p.id  # typed by hand
    assert store.resume("KURS2", secret) is None
    assert store.resume("KURS1", "AAAAA-AAAAA") is None
    assert store.resume("KURS1", "") is None
    assert len(normalise_code(secret)) == 10


def test_join_refuses_unknown_course_and_bad_names(store):
    with pytest.raises(StoreError, match="finns inte"):
        store.join("NOPE", "Bo", _variant)
    with pytest.raises(StoreError, match="namn"):
        store.join("KURS1", "   ", _variant)
    with pytest.raises(StoreError, match="högst"):
        store.join("KURS1", "x" * 81, _variant)


def test_autosave_overwrites_draft_and_survives_reopening(store, tmp_path):
    p, secret = store.join("KURS1", "Bo", _variant)
    store.save_draft(p, {"chair": "a"}, score=0.1, missed=[{"code": "R1", "title": "T"}])
    store.save_draft(p, {"chair": "ab"}, score=0.2)
    store.close()
    reopened = Store(f"sqlite:///{tmp_path / 'kurs.db'}")
    again = reopened.resume("KURS1", secret)
    draft = reopened.load_draft(again)
    assert draft.data == {"chair": "ab"} and draft.score == 0.2 and draft.saves == 2


def test_submissions_are_numbered_and_cannot_change(store):
    p, _ = store.join("KURS1", "Bo", _variant)
    first = store.submit(p, {"chair": "v1"}, score=0.5)
    second = store.submit(p, {"chair": "v2"}, score=0.7)
    assert (first.number, second.number) == (1, 2)
    assert first.submitted <= second.submitted
    assert not hasattr(store, "update_submission") and not hasattr(store, "delete_submission")
    with Session(store.engine) as s:  # the ORM refuses
        row = s.get(SubmissionRow, 1)
        row.data = {"chair": "changed"}
        with pytest.raises(ImmutableSubmission):
            s.commit()
    with Session(store.engine) as s:
        s.delete(s.get(SubmissionRow, 1))
        with pytest.raises(ImmutableSubmission):
            s.commit()
    for statement in (update(SubmissionRow).values(score=1.0), text("DELETE FROM submissions")):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:  # so does the database
            conn.execute(statement)
    assert [s.data["chair"] for s in store.submissions(p)] == ["v1", "v2"]


def test_trainer_overview_requires_the_trainer_code(store):
    p, _ = store.join("KURS1", "Bo", _variant)
    store.save_draft(p, {"chair": "x"}, score=0.25, missed=[{"code": "R1", "title": "Mål saknas"}])
    store.submit(p, {"chair": "x"}, score=0.25)
    with pytest.raises(StoreError, match="lärarkod"):
        store.overview("KURS1", "fel")
    with pytest.raises(StoreError):
        store.overview("KURS1", "")
    [row] = store.overview("kurs1", "larare-kod12")
    assert (row.display_name, row.score, row.submissions) == ("Bo", 0.25, 1)
    assert row.missed[0]["title"] == "Mål saknas"
    participant, data, sub = store.trainer_plan("KURS1", "LARARE-KOD12", row.participant_id)
    assert data == {"chair": "x"} and sub.number == 1 and participant.id == p.id
    with pytest.raises(StoreError, match="lärarkod"):
        store.trainer_plan("KURS1", "fel", row.participant_id)


def test_new_trainer_code_on_restart_replaces_the_old(store):
    course, code = store.create_course("KURS1")
    assert course.archetype == "sjukskriven"  # kept
    assert store.check_trainer("KURS1", code) and not store.check_trainer("KURS1", "LARARE-KOD12")


def test_group_plans_belong_to_members_only(store):
    _, trainer = store.create_course("KURS1")
    a, _ = store.join("KURS1", "A", _variant)
    b, _ = store.join("KURS1", "B", _variant)
    roles = ["vardcentral", "forsakringskassan", "personen"]
    with pytest.raises(StoreError, match="lärarkod"):
        store.create_group("KURS1", "GISSAD-KOD", name="Grupp 1", scenario_id="sjukskriven-0-0", roles=roles)
    group = store.create_group("KURS1", trainer, name="", scenario_id="sjukskriven-0-0", roles=roles)
    assert group.name == "Grupp 1" and [s.role for s in group.seats] == roles
    store.assign_seat("KURS1", trainer, group.seats[0].id, a.id)
    assert store.owners_of(a) == [a.owner_id, group.owner_id]
    store.save_draft(a, {"chair": "gemensam"}, owner_id=group.owner_id)
    assert store.load_draft(a, owner_id=group.owner_id).data == {"chair": "gemensam"}
    with pytest.raises(StoreError):
        store.load_draft(b, owner_id=group.owner_id)
    with pytest.raises(StoreError, match="lärarkod"):  # a participant cannot put themself in a group
        store.assign_seat("KURS1", "", group.seats[1].id, b.id)
    store.assign_seat("KURS1", trainer, group.seats[1].id, b.id)
    assert store.load_draft(b, owner_id=group.owner_id).data == {"chair": "gemensam"}
    assert store.load_draft(b) is None  # their own plan is untouched


def test_weak_or_empty_trainer_codes_open_nothing(store):
    with pytest.raises(StoreError, match="minst 8"):
        store.create_course("KURS2", trainer_code=" ")
    with pytest.raises(StoreError, match="minst 8"):
        store.create_course("KURS2", trainer_code="abc-12")
    _, code = store.create_course("KURS2", trainer_code="LANG-KOD-1234")
    for guess in ("", " ", ".", "-", "L"):
        assert not store.check_trainer("KURS2", guess)
    assert store.check_trainer("KURS2", "lang kod 1234")  # typed by hand: case, spaces and dashes do not matter


def test_a_trainer_of_one_course_cannot_read_another_course(store):
    _, trainer_a = store.create_course("KURSA")
    store.create_course("KURSB")
    b, _ = store.join("KURSB", "Bo", _variant)
    store.save_draft(b, {"chair": "hemligt"})
    with pytest.raises(StoreError):
        store.trainer_plan("KURSA", trainer_a, b.id)
    assert all(row.display_name != "Bo" for row in store.overview("KURSA", trainer_a))


def test_store_path_from_environment(tmp_path, monkeypatch):
    from sipkurs.store import default_url

    monkeypatch.setenv("SIPKURS_DB", str(tmp_path / "x" / "y.db"))
    assert default_url() == f"sqlite:///{tmp_path / 'x' / 'y.db'}"
    monkeypatch.setenv("SIPKURS_DB", "postgresql+psycopg://u:p@h/db")
    assert default_url() == "postgresql+psycopg://u:p@h/db"
    monkeypatch.delenv("SIPKURS_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path / 'sipkurs' / 'sipkurs.db'}"


def test_participants_joining_at_the_same_moment_get_different_variants(store):
    import threading

    joined = []
    barrier = threading.Barrier(8)

    def join(i):
        barrier.wait()
        joined.append(store.join("KURS1", f"Deltagare {i}", _variant)[0])

    threads = [threading.Thread(target=join, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(p.variant for p in joined) == list(range(8))
