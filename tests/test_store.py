"""The store: participants reached only by their personal code, autosaved drafts, append-only submissions."""

import threading

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from sipkurs.store import CourseExists, ImmutableSubmission, Store, StoreError, SubmissionRow, normalise_code


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


def test_autosave_overwrites_draft_and_survives_reopening(store):
    p, secret = store.join("KURS1", "Bo", _variant)
    store.save_draft(p, {"chair": "a"}, score=0.1, missed=[{"code": "R1", "title": "T"}])
    store.save_draft(p, {"chair": "ab"}, score=0.2)
    store.close()
    reopened = Store(store.url)
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
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:  # so does the database
        conn.execute(update(SubmissionRow).values(score=1.0))
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


def test_a_restart_keeps_the_course_its_case_and_its_trainer_code(store):
    course, code = store.start_course("kurs1")
    assert code is None and course.archetype == "sjukskriven"  # nothing changed, no new code
    assert store.start_course("KURS1", archetype="sjukskriven", trainer_code="LARARE-KOD12")[1] is None
    assert store.check_trainer("KURS1", "LARARE-KOD12")
    with pytest.raises(StoreError, match="sipkurs course change KURS1 --case demens_hjartsvikt"):
        store.start_course("KURS1", case_id="demens_hjartsvikt")
    with pytest.raises(StoreError, match="lärarkoden stämmer inte med kursen KURS1"):
        store.start_course("KURS1", trainer_code="ANNAN-KOD-1234")
    with pytest.raises(CourseExists, match="finns redan"):
        store.create_course("KURS1", trainer_code="ANNAN-KOD-1234")
    assert store.check_trainer("KURS1", "LARARE-KOD12") and store.course("KURS1").archetype == "sjukskriven"


def test_a_course_is_changed_only_on_purpose(store):
    p, _ = store.join("KURS1", "Bo", _variant)
    course = store.change_course("KURS1", case_id="demens_hjartsvikt", trainer_code="NY-LARARKOD-7")
    assert (course.case_id, course.archetype) == ("demens_hjartsvikt", "")
    assert store.check_trainer("KURS1", "NY-LARARKOD-7") and not store.check_trainer("KURS1", "LARARE-KOD12")
    assert store.participant(p.id).scenario_id == p.scenario_id  # who has a case keeps it
    with pytest.raises(StoreError, match="finns inte"):
        store.change_course("OKAND", case_id="demens_hjartsvikt")
    [summary] = store.courses()
    assert (summary.course.code, summary.participants, summary.groups) == ("KURS1", 1, 0)


def test_group_plans_belong_to_members_only(store):
    trainer = "LARARE-KOD12"
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


# --- the database itself, on both backends ----------------------------------------------------------------------------
def _assert_database_refuses(store, statement: str) -> None:
    """Raw SQL past the ORM and the API, as any other client of the database could send it, changes nothing."""
    p, _ = store.join("KURS1", "Bo", _variant)
    store.submit(p, {"chair": "v1"}, score=0.5)
    store.submit(p, {"chair": "v2"}, score=0.7)
    before = [(s.number, s.data, s.score) for s in store.submissions(p)]
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert [(s.number, s.data, s.score) for s in store.submissions(p)] == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE submissions SET score = 1.0 WHERE number = 1",
        "UPDATE submissions SET data = '{}'",
        "DELETE FROM submissions WHERE number = 2",
        "DELETE FROM submissions",
    ],
)
def test_database_refuses_to_change_submissions(store, statement):
    _assert_database_refuses(store, statement)


@pytest.mark.postgres
def test_database_refuses_to_empty_submissions_with_truncate(postgres_url):
    """SQLite has no TRUNCATE (its unqualified DELETE is tested above); PostgreSQL's skips row triggers."""
    store = Store(postgres_url)
    store.create_course("KURS1", trainer_code="LARARE-KOD12")
    try:
        _assert_database_refuses(store, "TRUNCATE submissions")
    finally:
        store.close()


def test_tables_can_be_dropped_and_made_again(store):
    """A trainer's reset (drop the tables, start again) must not trip over what the triggers left behind."""
    from sipkurs.store import Base

    Base.metadata.drop_all(store.engine)
    again = Store(store.url)
    try:
        again.create_course("KURS1", trainer_code="LARARE-KOD12")
        _assert_database_refuses(again, "DELETE FROM submissions")
    finally:
        again.close()


def test_text_with_nul_and_astral_characters_round_trips(store):
    """A pasted NUL or an emoji in a plan is kept as typed (PostgreSQL's text, unlike its json, cannot hold NUL)."""
    p, _ = store.join("KURS1", "Bo", _variant)
    data = {"chair": "a\x00b", "situation": "åäö 😀 \u2028 <b>"}
    store.save_draft(p, data)
    assert store.load_draft(p).data == data
    assert store.submit(p, data).data == data and store.submissions(p)[-1].data == data


def test_control_characters_in_a_name_are_dropped(store):
    p, _ = store.join("KURS1", "Bo\x00 \x07Ek", _variant)
    assert p.display_name == "Bo Ek"


def test_long_group_names_are_refused_in_swedish(store):
    trainer = "LARARE-KOD12"
    with pytest.raises(StoreError, match="högst 80"):
        store.create_group("KURS1", trainer, name="G" * 81, scenario_id="s", roles=["personen"])


def test_seeds_beyond_32_bits_are_kept(store):
    course, _ = store.create_course("KURS2", archetype="sjukskriven", seed=2**40, trainer_code="LANG-KOD-1234")
    assert course.seed == 2**40 and store.course("KURS2").seed == 2**40


# --- several writers at once: several kernels, and with several servers, several machines ---------------------------
def _at_once(fn, n: int = 8) -> tuple[list, list[str]]:
    """Run fn(i) for i < n in n threads released together; returns (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _group(store, size: int):
    trainer = "LARARE-KOD12"
    group = store.create_group("KURS1", trainer, name="Grupp 1", scenario_id="s", roles=[f"roll{i}" for i in range(size)])
    members = [store.claim_seat("KURS1", seat.code, f"Medlem {i}") for i, seat in enumerate(group.seats)]
    return members, group.owner_id


def test_participants_joining_at_once_get_different_variants(store):
    results, errors = _at_once(lambda i: store.join("KURS1", f"P{i}", _variant)[0].variant)
    assert errors == [] and sorted(results) == list(range(8))


def test_group_members_taking_their_seats_at_once_all_get_one(store):
    """The trainer says "take your seats": six members click at the same moment, each on their own seat's link."""
    for attempt in range(3):
        group = store.create_group("KURS1", "LARARE-KOD12", name=f"Grupp {attempt}", scenario_id="s",
                                   roles=[f"roll{i}" for i in range(6)])
        results, errors = _at_once(lambda i: store.claim_seat("KURS1", group.seats[i].code, f"Medlem {i}").id, 6)
        assert errors == [] and len(set(results)) == 6
        assert all(s.participant_id for s in store.groups("KURS1", "LARARE-KOD12")[attempt].seats)


def test_group_members_saving_at_once_lose_no_save(store):
    members, owner = _group(store, 8)
    results, errors = _at_once(lambda i: store.save_draft(members[i], {"chair": f"M{i}"}, owner_id=owner))
    assert errors == []
    draft = store.load_draft(members[0], owner_id=owner)
    assert draft.saves == 8 and draft.data in [{"chair": f"M{i}"} for i in range(8)]


def test_group_members_submitting_at_once_get_numbered_versions(store):
    members, owner = _group(store, 8)
    results, errors = _at_once(lambda i: store.submit(members[i], {"chair": f"M{i}"}, owner_id=owner).number)
    assert errors == [] and sorted(results) == list(range(1, 9))


def test_servers_starting_at_once_on_an_empty_database(store_url):
    """Several `sipkurs serve` instances started together on a new database (a deployment's first start)."""
    import sqlalchemy

    stores: list[Store] = []

    def start(i: int):
        store = Store(store_url)
        stores.append(store)
        return store.start_course("NYKURS", archetype="sjukskriven", trainer_code="LARARE-KOD12")[0].code

    try:
        results, errors = _at_once(start, 4)
    finally:
        for store in stores:
            store.close()
    assert errors == [] and results == ["NYKURS"] * 4
    engine = sqlalchemy.create_engine(store_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM courses").scalar() == 1
    engine.dispose()


@pytest.mark.postgres
def test_store_survives_a_database_restart(postgres_cluster, postgres_url):
    """A failover or an upgrade restarts PostgreSQL: every kernel's pooled connection is cut, and no save may fail."""
    store = Store(postgres_url)
    _, trainer = store.create_course("KURS1", trainer_code="LARARE-KOD12")
    p, _ = store.join("KURS1", "Bo", _variant)
    store.save_draft(p, {"chair": "före"})
    postgres_cluster.restart()
    try:
        store.save_draft(p, {"chair": "efter"})
        assert store.load_draft(p).data == {"chair": "efter"}
    finally:
        store.close()


# --- codes ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weak", ["12345678", "AAAAAAAA", "qwertyui", "abcdefgh12", "9876543210", "ab-ab-ab-ab"])
def test_easily_guessed_trainer_codes_are_refused(store, weak):
    with pytest.raises(StoreError, match="lärarkod"):
        store.create_course("KURS3", trainer_code=weak)


def test_codes_are_kept_as_hmacs_with_the_installations_key(store):
    import hashlib

    from sipkurs.store.schema import CourseRow, ParticipantRow

    p, secret = store.join("KURS1", "Bo", _variant)
    with Session(store.engine) as s:
        row = s.get(ParticipantRow, p.id)
        course = s.get(CourseRow, "KURS1")
    plain = hashlib.sha256(normalise_code(secret).encode()).hexdigest()
    assert row.secret_hash != plain and course.trainer_hash != hashlib.sha256(b"LARAREKOD12").hexdigest()
    again = Store(store.url)  # another server or kernel on the same database agrees on the key
    assert again.resume("KURS1", secret).id == p.id and again.check_trainer("KURS1", "LARARE-KOD12")
    again.close()


def test_hashes_from_before_keys_still_open_and_are_upgraded(store):
    import hashlib

    from sipkurs.store.schema import ParticipantRow

    p, secret = store.join("KURS1", "Bo", _variant)
    plain = hashlib.sha256(normalise_code(secret).encode()).hexdigest()
    with store.engine.begin() as conn:
        conn.execute(update(ParticipantRow).where(ParticipantRow.id == p.id).values(secret_hash=plain))
    assert store.resume("KURS1", secret).id == p.id
    with Session(store.engine) as s:
        assert s.get(ParticipantRow, p.id).secret_hash == store.hash(secret) != plain


def test_the_key_file_is_the_owners_alone_and_the_environment_wins(tmp_path, monkeypatch):
    import os
    import stat

    monkeypatch.delenv("SIPKURS_SECRET", raising=False)
    db = tmp_path / "k.db"
    first = Store(f"sqlite:///{db}")
    key = tmp_path / "k.db.nyckel"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    _, code = first.create_course("K", trainer_code="LARARE-KOD12")
    monkeypatch.setenv("SIPKURS_SECRET", "en hemlighet för alla servrar")
    other = Store(f"sqlite:///{db}")
    assert other.hash("X") != first.hash("X") and not other.check_trainer("K", code)
    first.close(), other.close()
