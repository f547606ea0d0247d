"""Live co-editing at the store: one plan, several pages, no lost or silently overwritten text."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import defaultdict

import pytest

from sipkurs import cases, plandoc
from sipkurs.live import RACE_WINDOW, LivePlan
from sipkurs.roleplay import form_group
from sipkurs.session import DraftSession
from sipkurs.store import Edit, Store, StoreError

TRAINER = "LARARE-KOD12"


@pytest.fixture()
def group_store(store_url):
    store = Store(store_url)
    store.create_course("K", case_id="sjukskriven_utmattning", trainer_code=TRAINER)
    yield store
    store.close()


def _members(store, n=3, group=None):
    group = group or form_group(store, "K", TRAINER)
    people = [store.claim_seat("K", seat.code, f"Medlem {i}") for i, seat in enumerate(group.seats[:n])]
    return group, people


def _pages(store, group, people):
    pages = [LivePlan(store, p, group.owner_id, p.display_name) for p in people]
    for page in pages:
        page.load()
    return pages


def test_edits_to_different_fields_never_interfere(group_store):
    group, people = _members(group_store)
    a, b, c = _pages(group_store, group, people)
    a.edit("chair", "Anna")
    b.edit("current_situation", "Bor ensam")
    c.edit("consent.scope", "Vårdcentralen och FK")
    assert all(page.flush() for page in (a, b, c))
    for page in (a, b, c):
        page.poll()
        assert page.data() == {"chair": "Anna", "current_situation": "Bor ensam", "consent": {"scope": "Vårdcentralen och FK"}}
        assert not page.conflicts
    assert a.who("current_situation").author == "Medlem 1"


def test_the_second_writer_of_one_field_sees_both_texts_and_chooses(group_store):
    group, people = _members(group_store, 2)
    a, b = _pages(group_store, group, people)
    heard = []
    b.listen(type("L", (), {"conflict": lambda self, c: heard.append(c), "saved": lambda self, s: None,
                            "remote_change": lambda self, s: None, "row_gone": lambda self, g: None})())
    a.edit("wishes", "Vill arbeta halvtid")
    b.edit("wishes", "Vill slippa berätta allt flera gånger")
    assert a.flush() and not b.flush()
    [conflict] = heard
    assert conflict.mine == "Vill slippa berätta allt flera gånger" and conflict.theirs.value == "Vill arbeta halvtid"
    assert conflict.theirs.author == "Medlem 0"
    assert group_store.load_draft(people[0], group.owner_id).data["wishes"] == "Vill arbeta halvtid"  # not overwritten
    assert b.values()["wishes"] == "Vill slippa berätta allt flera gånger"  # both texts still at hand
    merged = b.resolve("wishes", "merged", "Vill arbeta halvtid och slippa berätta allt flera gånger")
    assert b.flush()
    a.poll()
    assert a.values()["wishes"] == merged
    # "keep theirs" writes nothing; "keep mine" overwrites knowingly
    a.edit("chair", "A")
    b.edit("chair", "B")
    a.flush(), b.flush()
    b.resolve("chair", "theirs")
    assert b.flush() and group_store.load_draft(people[0], group.owner_id).data["chair"] == "A"
    a.edit("chair", "A2")
    b.edit("chair", "B2")
    a.flush(), b.flush()
    b.resolve("chair", "mine")
    assert b.flush() and group_store.load_draft(people[0], group.owner_id).data["chair"] == "B2"


def test_a_conflict_shows_the_newest_of_their_text_while_the_member_decides(group_store):
    """The other member writes on while this one reads both texts: the panel follows, and a merge builds on the
    newest text (it once merged with the text of the moment of the conflict and ran into a second conflict)."""
    group, people = _members(group_store, 2)
    a, b = _pages(group_store, group, people)
    heard = []
    b.listen(type("L", (), {"conflict": lambda self, c: heard.append(c), "saved": lambda self, s: None,
                            "remote_change": lambda self, s: heard.append(s), "row_gone": lambda self, g: None})())
    a.edit("wishes", "Vill arbeta")
    b.edit("wishes", "Vill ha en kontaktperson")
    assert a.flush() and not b.flush()
    a.edit("wishes", "Vill arbeta halvtid från mars")
    assert a.flush()
    heard.clear()
    b.poll()
    [renewed] = heard  # no remote change into the field: the member's own text stays there until they choose
    assert renewed.theirs.value == "Vill arbeta halvtid från mars" and renewed.mine == "Vill ha en kontaktperson"
    b.edit("wishes", "Vill ha en kontaktperson på socialtjänsten")  # the member edits their own text meanwhile
    assert b.conflicts["wishes"].mine == "Vill ha en kontaktperson på socialtjänsten"
    b.resolve("wishes", "merged", f"{b.conflicts['wishes'].theirs.value}. {b.conflicts['wishes'].mine}.")
    assert b.flush() and not b.conflicts
    assert group_store.plan_state(people[0], group.owner_id).fields["wishes"].value == (
        "Vill arbeta halvtid från mars. Vill ha en kontaktperson på socialtjänsten.")


def test_text_typed_before_another_members_text_arrived_never_replaces_it_however_late_it_comes(group_store):
    group, people = _members(group_store, 2)
    a, b = _pages(group_store, group, people)
    a.edit("wishes", "Vill arbeta")
    assert a.flush()
    b.poll()
    a.edit("wishes", "Vill arbeta halvtid")
    assert a.flush()
    b.poll()  # B's kernel shows A's new text; B's page, typing on the old one, has not had it yet
    time.sleep(RACE_WINDOW + 0.2)  # a busy server: B's keystrokes reach the kernel late
    b.edit("wishes", "Vill arbeta, och slippa berätta allt flera gånger")
    assert not b.flush() and b.conflicts["wishes"].theirs.value == "Vill arbeta halvtid"  # both texts kept
    assert group_store.load_draft(people[0], group.owner_id).data["wishes"] == "Vill arbeta halvtid"
    b.resolve("wishes", "theirs")
    b.edit("wishes", "Vill arbeta halvtid och slippa berätta allt flera gånger")  # built on A's text: no question
    assert b.flush()
    a.poll()
    a.edit("wishes", "Vill arbeta halvtid och slippa berätta allt flera gånger.")  # A types on after B's text …
    a.edit("wishes", "Vill arbeta halvtid.")  # … then shortens it: A's own choice, asked nothing
    assert a.flush() and not a.conflicts


def _wishes_conflict(store, n: int):
    """Members writing "A1", then A "A1 A2" and B "A1 B1" at once: B's page holds a conflict with "A1 A2"."""
    group, people = _members(store, n)
    pages = _pages(store, group, people)
    a, b = pages[:2]
    a.edit("wishes", "A1")
    assert a.flush()
    for page in pages[1:]:
        page.poll()
    a.edit("wishes", "A1 A2")
    b.edit("wishes", "A1 B1")
    assert a.flush() and not b.flush()
    return group, people, pages


def test_keeping_their_text_keeps_what_others_wrote_after_the_conflict_too(group_store):
    group, people, (a, b, c) = _wishes_conflict(group_store, 3)
    c.poll()
    c.edit("wishes", "A1 A2 C1")
    assert c.flush()
    b.poll()  # B's page hears of C's text while its member decides
    assert b.resolve("wishes", "theirs") == "A1 A2 C1"  # not the text of the moment of the conflict
    b.edit("wishes", "A1 A2 C1 B1")
    assert b.flush()
    assert group_store.load_draft(people[0], group.owner_id).data["wishes"] == "A1 A2 C1 B1"


@pytest.mark.parametrize("choice", ["theirs", "merged"])
def test_a_keystroke_typed_before_the_choice_never_overwrites_the_text_kept(group_store, choice):
    group, people, (a, b) = _wishes_conflict(group_store, 2)
    kept = b.resolve("wishes", choice, "A1 B1\n\nA1 A2")
    b.edit("wishes", "A1 B1 B2")  # typed before the choice, reaching the kernel after it (a slow server)
    assert not b.flush() and b.conflicts["wishes"].mine == "A1 B1 B2"  # asked again, nothing overwritten
    assert group_store.load_draft(people[0], group.owner_id).data["wishes"] == "A1 A2"
    b.resolve("wishes", choice, "A1 B1 B2\n\nA1 A2")
    b.edit("wishes", f"{kept} B3")  # typed on the text kept: written
    assert b.flush() and group_store.load_draft(people[0], group.owner_id).data["wishes"] == f"{kept} B3"


def test_rows_added_at_the_same_time_get_their_own_ids(group_store):
    group, people = _members(group_store, 3)
    pages = _pages(group_store, group, people)
    ids: list[str] = []
    barrier = threading.Barrier(len(pages) * 2)

    def add(page, text):
        barrier.wait()
        ids.append(page.add_row("needs", {"text": text}))

    threads = [threading.Thread(target=add, args=(p, f"{p.author} {i}")) for p in pages for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(ids) == [f"B{i}" for i in range(1, 7)]
    data = group_store.load_draft(people[0], group.owner_id).data
    assert sorted(n["text"] for n in data["needs"]) == sorted(f"Medlem {m} {i}" for m in range(3) for i in range(2))


def test_a_row_deleted_while_someone_writes_in_it_can_be_restored_with_their_text(group_store):
    group, people = _members(group_store, 2)
    a, b = _pages(group_store, group, people)
    row = a.add_row("efforts", {"what": "Samtal"})
    b.poll()
    b.edit(f"efforts[{row}].what", "Samtal varje vecka")
    a.delete_row("efforts", row)
    assert not b.flush()
    [gone] = b.gone.values()
    assert gone.value == "Samtal varje vecka" and gone.row.author == "Medlem 0"
    assert b.values()[f"efforts[{row}].what"] == "Samtal varje vecka"  # still on b's screen
    b.restore_row("efforts", row)
    assert not b.unsaved
    a.poll()
    assert a.data()["efforts"] == [{"id": row, "what": "Samtal varje vecka"}]
    a.delete_row("efforts", row)
    b.edit(f"efforts[{row}].what", "x")
    b.flush()
    b.drop_gone("efforts", row)
    assert not b.unsaved and "efforts" not in group_store.load_draft(people[0], group.owner_id).data


def test_the_same_participant_in_two_tabs_never_overwrites_silently(group_store):
    p, _ = group_store.join("K", "Kim", cases.scenario_for_variant)
    tab1, tab2 = LivePlan(group_store, p), LivePlan(group_store, p)
    tab1.load(), tab2.load()
    tab1.edit("current_situation", "Skrivet i flik 1")
    tab2.edit("current_situation", "Skrivet i flik 2")
    assert tab1.flush() and not tab2.flush()
    assert tab2.conflicts["current_situation"].theirs.value == "Skrivet i flik 1"


def test_a_draft_kept_by_the_browser_never_overwrites_what_someone_wrote_since(group_store):
    """A member's page died with unsaved text; the browser kept it, with the revision it was begun on, and gives it back
    when the page opens again. By then someone may have written the field: another member, or the member themself
    on another computer. That text must come back as a conflict, never be overwritten by the old draft."""
    group, people = _members(group_store, 2)
    a, b = _pages(group_store, group, people)
    a.edit("chair", "Anna")
    a.edit("current_situation", "Bor ensam")
    a.edit("wishes", "Flyttade i våras")
    a.edit("own_resources", "Har en vän i huset")
    assert a.flush()
    typed_on = {p: a.known[p].rev for p in ("chair", "current_situation", "wishes", "own_resources")}
    b.poll()
    b.edit("current_situation", "Bor ensam, med sin syster sedan i maj")
    assert b.flush()
    elsewhere = LivePlan(group_store, people[0], group.owner_id, people[0].display_name)  # a's other computer
    elsewhere.load()
    elsewhere.edit("chair", "Anna Lind")
    assert elsewhere.flush()

    reopened = LivePlan(group_store, people[0], group.owner_id, people[0].display_name)
    reopened.load()
    reopened.edit_kept("current_situation", "Bor ensam i lägenhet, har hemtjänst", typed_on["current_situation"])
    reopened.edit_kept("chair", "Anna Berg", typed_on["chair"])  # a wrote "Anna Lind" since, on the other computer
    reopened.edit_kept("wishes", "Flyttade i våras. Började på ny skola.", None)  # keeps the stored text
    reopened.edit_kept("own_resources", "Har en granne som hjälper till", typed_on["own_resources"])  # nobody since
    reopened.edit_kept("relatives_resources", "Mamma", None)  # empty field
    assert not reopened.flush()
    assert set(reopened.conflicts) == {"current_situation", "chair"}
    conflict = reopened.conflicts["current_situation"]
    assert conflict.mine == "Bor ensam i lägenhet, har hemtjänst"
    assert conflict.theirs.value == "Bor ensam, med sin syster sedan i maj" and conflict.theirs.author == people[1].display_name
    assert reopened.conflicts["chair"].theirs.value == "Anna Lind"
    state = group_store.plan_state(people[1], group.owner_id).fields
    assert state["current_situation"].value == "Bor ensam, med sin syster sedan i maj" and state["chair"].value == "Anna Lind"
    assert state["wishes"].value == "Flyttade i våras. Började på ny skola."
    assert state["own_resources"].value == "Har en granne som hjälper till"
    assert state["relatives_resources"].value == "Mamma"

    # The member keeps their own text knowingly: now it is written.
    reopened.resolve("current_situation", "mine")
    reopened.flush()
    assert set(reopened.conflicts) == {"chair"}  # still to choose
    assert group_store.plan_state(people[1], group.owner_id).fields["current_situation"].value.startswith("Bor ensam i")

    # A kept text that is already the stored one changes nothing; a revision from nowhere decides nothing.
    again = LivePlan(group_store, people[0], group.owner_id)
    again.load()
    again.edit_kept("wishes", "Flyttade i våras. Började på ny skola.", 1)
    assert not again.pending
    again.edit_kept("own_resources", "Något helt annat", 10**9)
    assert not again.flush() and "own_resources" in again.conflicts


def test_a_reload_or_a_restart_shows_everything_that_was_written(group_store):
    group, people = _members(group_store, 2)
    a, _ = _pages(group_store, group, people)
    a.edit("chair", "Anna")
    row = a.add_row("goals", {"text": "Arbeta halvtid"})
    a.flush()
    reopened = Store(group_store.url)
    page = LivePlan(reopened, people[1], group.owner_id)
    assert page.load()[f"goals[{row}].text"] == "Arbeta halvtid" and page.data()["chair"] == "Anna"
    reopened.close()


def test_only_members_reach_a_group_plan_and_a_moved_member_loses_it(group_store):
    group, people = _members(group_store, 2)
    outsider, _ = group_store.join("K", "Utanför", cases.scenario_for_variant)
    with pytest.raises(StoreError):
        LivePlan(group_store, outsider, group.owner_id).load()
    with pytest.raises(StoreError):
        group_store.write(outsider, [Edit("chair", "x", 0)], owner_id=group.owner_id)
    page = _pages(group_store, group, people[:1])[0]
    group_store.vacate_seat("K", TRAINER, group.seats[0].id)
    page.edit("chair", "efter flytten")
    with pytest.raises(StoreError):
        page.flush()
    opened = group_store.open_code("K", group.seats[0].code)  # the old link was her code: it is hers, seatless
    assert opened.id == people[0].id and group_store.group_of(opened) is None
    new_code = group_store.group("K", TRAINER, group.id).seats[0].code
    assert new_code != group.seats[0].code and group_store.open_code("K", new_code).seat.role == group.seats[0].role


def test_seat_links_claim_once_and_become_the_personal_code(group_store):
    group = form_group(group_store, "K", TRAINER)
    seat = group.seats[0]
    invite = group_store.open_code("K", seat.code.lower())
    assert invite.seat.role == seat.role and invite.group.id == group.id
    anna = group_store.claim_seat("K", seat.code, "Anna")
    with pytest.raises(StoreError, match="tagen|finns inte"):
        group_store.claim_seat("K", seat.code, "Bo")
    assert group_store.open_code("K", seat.code).id == anna.id  # she comes back with the same link
    assert group_store.open_code("ANNANKURS", seat.code) is None
    assert group_store.group_of(anna).seat_of(anna.id).role == seat.role


def test_a_group_submission_lists_every_member_as_author(group_store):
    group, people = _members(group_store, 3)
    session = DraftSession(group_store, people[0])
    session.live.load()
    session.live.edit("chair", "Medlem 0")
    sub, _ = session.submit()
    assert [a["name"] for a in sub.data["authors"]] == ["Medlem 0", "Medlem 1", "Medlem 2"]
    assert sub.data["authors"][0]["organisation"] == group.seats[0].role and sub.data["group"] == group.name
    assert DraftSession(group_store, people[1]).submissions()[0].number == 1


def test_simultaneous_submissions_are_numbered_without_collisions(group_store):
    group, people = _members(group_store, 3)
    numbers, errors = [], []
    barrier = threading.Barrier(6)

    def submit(person):
        barrier.wait()
        try:
            numbers.append(group_store.submit(person, {"chair": person.display_name}, owner_id=group.owner_id).number)
        except StoreError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=submit, args=(people[i % 3],)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(numbers) == list(range(1, len(numbers) + 1)) and len(numbers) + len(errors) == 6
    assert all("samtidigt" in e for e in errors)


def test_a_draft_from_before_field_level_plans_is_imported(store_url):
    from sqlalchemy import insert

    from sipkurs.store.schema import LegacyDraftRow

    store = Store(store_url)
    store.create_course("K", archetype="sjukskriven", trainer_code=TRAINER)
    p, _ = store.join("K", "Bo", cases.scenario_for_variant)
    with store.engine.begin() as conn:
        conn.execute(insert(LegacyDraftRow).values(owner_id=p.owner_id, data={"chair": "gammal", "needs": [{"id": "B1", "text": "b"}]}))
    assert store.load_draft(p).data == {"chair": "gammal", "needs": [{"id": "B1", "text": "b"}]}
    assert LivePlan(store, p).load()["needs[B1].text"] == "b"
    store.close()


# --- many writers at once ------------------------------------------------------------------------------------------
CONCURRENCY_SECONDS = float(os.environ.get("SIPKURS_CONCURRENCY_SECONDS", "60"))


def _writer(url, person, owner_id, index, stop, log, errors):
    """One member's page: own field, a shared field, rows; polls and flushes like the app does."""
    store = Store(url)
    page = LivePlan(store, person, owner_id, person.display_name)
    rng = random.Random(index)
    try:
        page.load()
        n = 0
        while not stop.is_set():
            n += 1
            op = rng.random()
            if op < 0.4:
                page.edit("follow_up.evaluate" if index == 0 else "own_resources", f"{person.display_name} skrev {n}")
            elif op < 0.7:
                page.edit("wishes", f"{person.display_name} önskar {n}")  # everyone writes here: conflicts expected
            elif op < 0.8:
                row = page.add_row("needs", {"text": f"{person.display_name} behov {n}"})
                log["rows"].append((person.display_name, row, f"{person.display_name} behov {n}"))
            else:
                page.poll()
            edits = dict(page.pending)
            result = store.write(person, [Edit(p, e.value, e.base_rev) for p, e in edits.items()], owner_id=owner_id, author=person.display_name)
            for path, state in result.written.items():
                if state.rev == result.rev:
                    log["writes"].append((path, edits[path].base_rev, state.rev, state.value))
            for path, theirs in result.conflicts.items():
                log["conflicts"].append((path, edits[path].base_rev, theirs.rev))
            page.pending.clear()
            for path, state in {**result.written, **result.conflicts}.items():
                page._learn(state)  # the next edit builds on what the store has now
            time.sleep(rng.uniform(0.01, 0.05))
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(repr(exc))
    finally:
        store.close()


@pytest.mark.slow
def test_eight_groups_of_five_writing_at_once_lose_nothing(store_url):
    url = store_url
    store = Store(url)
    store.create_course("K", case_id="sjukskriven_utmattning", trainer_code=TRAINER)
    groups = []
    for _ in range(8):
        group = form_group(store, "K", TRAINER)
        people = [store.claim_seat("K", s.code, f"{group.name} {s.role}") for s in group.seats[:5]]
        groups.append((group, people))
    stop = threading.Event()
    logs = {g.id: defaultdict(list) for g, _ in groups}
    errors: list[str] = []
    threads = [
        threading.Thread(target=_writer, args=(url, person, g.owner_id, i, stop, logs[g.id], errors))
        for g, people in groups for i, person in enumerate(people)
    ]
    [t.start() for t in threads]
    time.sleep(CONCURRENCY_SECONDS)
    stop.set()
    [t.join(timeout=60) for t in threads]
    assert errors == []
    total_writes = total_conflicts = 0
    for group, people in groups:
        log = logs[group.id]
        final = store.plan_state(people[0], group.owner_id).fields
        by_path = defaultdict(list)
        for path, base, rev, value in log["writes"]:
            by_path[path].append((rev, base, value))
        for path, writes in by_path.items():
            writes.sort()
            previous = 0
            for rev, base, _value in writes:  # every accepted write built on the one before: none was lost
                assert base == previous, f"{group.name} {path}: write at rev {rev} built on {base}, not {previous}"
                previous = rev
            assert final[path].value == writes[-1][2] and final[path].rev == writes[-1][0]
        for path, base, theirs_rev in log["conflicts"]:
            assert theirs_rev > base  # a conflict only when someone else wrote first
        for author, row, text in log["rows"]:
            assert final[plandoc.cell_key("needs", row, "text")].value == text, (author, row)
        assert len({row for _, row, _ in log["rows"]}) == len(log["rows"])
        total_writes += len(log["writes"])
        total_conflicts += len(log["conflicts"])
    assert total_writes > 400 and total_conflicts > 0
    store.close()


def test_the_group_cli_and_the_export_name_the_group_and_its_members(group_store, tmp_path, capsys):
    from sipkurs.cli import main

    db = group_store.url
    with pytest.raises(SystemExit) as exit_:
        main(["group", "create", "--course", "K", "--trainer-code", TRAINER, "--db", db, "--name", "Blå <gruppen>"])
    assert exit_.value.code == 0
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    assert len(lines) == 6 and lines[0].startswith("Vårdcentralen") and "kod=" in lines[0]
    assert "Blå <gruppen> (sjukskriven_utmattning@0), 6 platser" in out.err
    code = lines[1].rsplit("kod=", 1)[1]
    fia = group_store.claim_seat("K", code, "Fia <b>Kassan</b>")
    session = DraftSession(group_store, fia)
    session.live.load()
    session.live.edit("chair", "Fia")
    session.submit()
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--course", "K", "--trainer-code", TRAINER, "--db", db, "--group", "blå <gruppen>"])
    assert exit_.value.code == 0
    page = capsys.readouterr().out
    assert "<dt>Rollspelsgrupp</dt><dd>Blå &lt;gruppen&gt;</dd>" in page and "Inlämnad version 1" in page
    assert "<dt>Gruppens medlemmar</dt><dd>Fia &lt;b&gt;Kassan&lt;/b&gt; (Försäkringskassan)</dd>" in page
    for argv, message in (
        (["group", "create", "--course", "K", "--trainer-code", "FEL-KOD-123", "--db", db], "fel kurskod eller lärarkod"),
        (["group", "create", "--course", "K", "--trainer-code", TRAINER, "--db", db, "--case", "finns_inte"], "finns inte"),
        (["export", "--course", "K", "--trainer-code", TRAINER, "--db", db, "--group", "Grupp 9"], "finns inte"),
        (["export", "--course", "K", "--trainer-code", TRAINER, "--db", db], "antingen --participant"),
    ):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code != 0
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.postgres
def test_postgresql_tells_a_listening_page_at_once(postgres_url):
    from sipkurs.store.notify import ChangeListener

    store = Store(postgres_url)
    store.create_course("K", case_id="sjukskriven_utmattning", trainer_code=TRAINER)
    group, people = _members(store, 2)
    listener = ChangeListener(store.engine)
    assert listener.active and listener.changed(group.owner_id) is False
    a = LivePlan(store, people[0], group.owner_id)
    a.load()
    a.edit("chair", "Anna")
    a.flush()

    def hears(owner_id: int, within: float = 3.0) -> bool:
        """NOTIFY arrives a moment after the commit: the page's next tick hears it (the test waits, as a page does)."""
        deadline = time.monotonic() + within
        while not listener.changed(owner_id):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    assert hears(group.owner_id) and listener.changed(group.owner_id) is False
    a.add_row("needs", {"text": "x"})
    a.flush()
    assert hears(group.owner_id)
    assert listener.changed(group.owner_id + 1000) is False
    listener.close()
    assert ChangeListener(Store("sqlite://").engine).changed(1) is None  # SQLite: nothing to hear, the page polls
    store.close()


def test_a_page_on_postgresql_ticks_without_errors_says_it_is_here_and_heals_a_missed_notification(postgres_url, caplog):
    """The page's ticks on PostgreSQL: nothing heard means no look at the store, except every ``fallback_every``
    ticks (a missed notification heals); the presence heartbeat runs every tick's turn. (The fallback counter was
    once never set: every quiet tick failed, so polling ran only when notified and presence never updated.)"""
    import logging

    from sipkurs.live import LiveSync

    store = Store(postgres_url)
    store.create_course("K", case_id="sjukskriven_utmattning", trainer_code=TRAINER)
    group, people = _members(store, 2)
    a, b = _pages(store, group, people)
    beats = []
    store_heartbeat = store.heartbeat
    store.heartbeat = lambda p: beats.append(p.id) or store_heartbeat(p)
    sync = LiveSync(b, heartbeat=0.0, fallback_every=3)
    from sipkurs.store.notify import ChangeListener

    sync.listener = ChangeListener(store.engine)
    assert sync.listener.active
    with caplog.at_level(logging.ERROR, logger="sipkurs.live"):
        for _ in range(3):
            sync.tick()
        assert not caplog.records and beats == [people[1].id] * 3
        # A write whose notification this page never hears (as if it came while the connection was away).
        a.edit("chair", "Anna")
        a.flush()
        time.sleep(0.3)
        sync.listener.changed(group.owner_id)  # swallowed
        for _ in range(3):
            sync.tick()
        assert b.values()["chair"] == "Anna" and not caplog.records
    sync.listener.close()
    store.close()
