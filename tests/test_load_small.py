"""Many at once, bounded: the load benchmark's run with two groups of three and two drafting alone, and the protocol
client it rests on (sipkurs.serving.probe.PageClient) against ipywidgets' front-end rules, without a server.

The server test runs benchmarks/bench_load.py's ``run`` on loopback: every page must become usable, every member must
reach the plan form, every write a page saw acknowledged as stored must be in the store, and every page must end
showing what the store has. Figures are printed (run with -s to see them).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

from sipkurs.serving.draftguard import saved_marker
from sipkurs.serving.probe import PageClient, page_views

ROOT = Path(__file__).resolve().parent.parent


# --- the protocol client, message by message ---------------------------------------------------------------------
class Socket:
    """The kernel websocket as the client sees it: what was written, in order."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def write_message(self, text: str) -> None:
        self.sent.append(json.loads(text))

    def updates(self) -> list[tuple[str, dict]]:
        return [(m["content"]["comm_id"], m["content"]["data"].get("state")) for m in self.sent
                if m["content"].get("data", {}).get("method") == "update"]


def kernel(msg_type: str, content: dict, parent: str | None = None) -> dict:
    return {"header": {"msg_type": msg_type, "msg_id": "k"}, "parent_header": {"msg_id": parent} if parent else {},
            "content": content}


def opened(comm_id: str, model: str, **state) -> dict:
    return kernel("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget",
                                "data": {"state": {"_model_name": model, **state}}})


def changed(comm_id: str, parent: str | None = None, echo: bool = False, **state) -> dict:
    method = "echo_update" if echo else "update"
    return kernel("comm_msg", {"comm_id": comm_id, "data": {"method": method, "state": state}}, parent)


def idle(parent: str) -> dict:
    return kernel("status", {"execution_state": "idle"}, parent)


def client(*messages: dict) -> tuple[PageClient, Socket]:
    page = PageClient("http://127.0.0.1:9/")
    page._connection = socket = Socket()
    page._start = time.perf_counter()
    for m in messages:
        page._receive(m)
    return page, socket


def test_typing_keeps_one_message_in_flight_per_widget_and_sends_the_latest_text_when_the_kernel_is_done():
    page, socket = client(opened("t", "TextareaModel", value=""), opened("u", "TextModel", value=""))

    async def type_fast():
        for text in ("S", "St", "Sta"):
            await page.set_value("t", text)
        await page.set_value("u", "x")  # another widget is not held back

    asyncio.run(type_fast())
    assert socket.updates() == [("t", {"value": "S"}), ("u", {"value": "x"})]
    assert page.models["t"].value == "Sta" and page.sending
    first = socket.sent[0]["header"]["msg_id"]
    page._receive(idle(first))
    assert socket.updates()[-1] == ("t", {"value": "Sta"})  # the merged rest, at once, not "St"
    assert len(socket.updates()) == 3
    page._receive(idle(socket.sent[-1]["header"]["msg_id"]))
    page._receive(idle(socket.sent[1]["header"]["msg_id"]))
    assert not page.sending and page.handled(first)


def test_only_the_echo_of_the_latest_message_is_shown_and_the_kernels_own_changes_always_are():
    page, socket = client(opened("t", "TextareaModel", value=""))
    asyncio.run(page.set_value("t", "a"))
    first = socket.sent[-1]["header"]["msg_id"]
    asyncio.run(page.set_value("t", "ab"))  # buffered behind the first
    page._receive(changed("t", first, echo=True, value="a"))
    assert page.models["t"].value == "ab"  # a newer text is about to be sent: the old echo does not undo it
    page._receive(idle(first))
    second = socket.sent[-1]["header"]["msg_id"]
    page._receive(changed("t", first, echo=True, value="a"))
    assert page.models["t"].value == "ab"  # a late echo of an older message is dropped
    page._receive(changed("t", value="Någon annans text"))
    assert page.models["t"].value == "Någon annans text"  # the kernel's own change is shown
    page._receive(changed("t", second, echo=True, value="ab"))
    assert page.models["t"].value == "ab"  # our latest text, confirmed
    page._receive(changed("t", "another-page", echo=True, value="från en annan flik"))
    assert page.models["t"].value == "från en annan flik"  # nothing expected any more: echoes of others show


def test_messages_leave_in_the_order_they_are_made():
    page, socket = client(opened("t", "TextModel", value=""), opened("b", "ButtonModel", description="Ta platsen"))

    async def name_and_click():
        await page.set_value("t", "Ev")
        await page.set_value("t", "Eva")
        return await page.click("b")

    clicked = asyncio.run(name_and_click())
    kinds = [m["content"]["data"]["method"] for m in socket.sent]
    assert kinds == ["update", "custom"] and socket.sent[-1]["header"]["msg_id"] == clicked
    page._receive(idle(socket.sent[0]["header"]["msg_id"]))  # the buffered "Eva" leaves now, written at once
    assert [m["content"]["data"].get("state") for m in socket.sent] == [{"value": "Ev"}, None, {"value": "Eva"}]


def test_every_stored_marker_is_remembered_after_the_next_save_replaces_it():
    key = "sip-k-wishes"
    page, _ = client(opened("g", "HTMLModel", value=""))
    page._receive(changed("g", value=saved_marker(key, "[a.1]")))
    page._receive(changed("g", value=saved_marker(key, "[a.1] [b.1]") + saved_marker("sip-k-chair", "Eva")))
    assert page.is_stored(key, "[a.1]") and page.is_stored(key, "[a.1] [b.1]")
    assert page.is_stored("sip-k-chair", "Eva") and not page.is_stored(key, "[b.1]")


def test_the_page_shows_the_widgets_under_its_views_and_forgets_closed_ones():
    view = {"model_id": "root", "version_major": 2, "version_minor": 0}
    cell = json.dumps({"data": {"application/vnd.jupyter.widget-view+json": view, "text/plain": "VBox()"}})
    page_html = (f'<script type="application/vnd.voila.cell-output+json">\n  {cell}\n</script>'
                 '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "other"}</script>')
    assert sorted(page_views(page_html)) == ["other", "root"]
    root = opened("root", "VBoxModel", children=["IPY_MODEL_name", "IPY_MODEL_box"], _dom_classes=["sip-app"])
    page, _ = client(root,
                     opened("box", "VBoxModel", children=["IPY_MODEL_go"]),
                     opened("name", "TextModel", description="Ditt namn"),
                     opened("go", "ButtonModel", description="Ta platsen"),
                     opened("stray", "TextModel", description="Kurskod"))
    page.roots = ["root"]
    assert page.widget(description="Ta platsen").id == "go" and page.widget(css_class="sip-app").id == "root"
    assert page.widget(description="Kurskod") is None and page.widgets(description="Kurskod", shown=False)
    page._receive(changed("root", children=["IPY_MODEL_name"]))
    assert page.widget(model="ButtonModel") is None
    page._receive(kernel("comm_close", {"comm_id": "name"}))
    assert "name" not in page.models and page.shown_ids() == {"root"}


# --- the bounded load run -----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_two_groups_of_three_and_two_alone_all_usable_all_at_the_form_no_write_lost():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_load

    r = bench_load.run(participants=8, groups=2, seats=3, arrival_seconds=10, write_seconds=15, pool_size=4,
                       alone_runs=0, patience=90, say=lambda _text: None)
    print(f"\n8 deltagare: användbara {r['usable']}, formuläret {r['form']}, sparat {r['ack']}; "
          f"{r['writes']} skrivningar, {r['conflicts']} konflikter, "
          f"{r['pss_per_participant_mib']:.0f} MiB PSS per deltagare")
    assert not r["errors"], r["errors"]
    assert r["usable"]["n"] == 8 and r["joined"] == 8 and r["groups_complete"] == 2
    assert r["acked"] >= 16 and r["unacked"] == 0  # every page wrote, and was told every write was stored
    assert r["lost"] == 0, r["lost_examples"]
    assert r["pages_differing_from_store"] == 0
    assert r["log_tracebacks"] == 0
