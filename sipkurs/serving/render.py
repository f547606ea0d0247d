"""Rendering a page and talking to its kernel, without ever showing the browser a kernel's error.

``SipRenderer`` replaces Voila's NotebookRenderer: it sets the page's Swedish title, and when a cell fails (an error, a
timeout, a kernel that died) it stops, logs why, and marks the page failed so that the template shows the Swedish
"försök igen" box instead of an empty page. ``FilteredConnection`` replaces the kernel websocket connection: error
messages and stderr output from the kernel are logged on the server and never forwarded.
"""

from __future__ import annotations

import logging

import nbformat
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from nbconvert.preprocessors.clearoutput import ClearOutputPreprocessor
from voila.notebook_renderer import NotebookRenderer

log = logging.getLogger("sipkurs.serving")

TITLES: dict[str, str] = {}  # notebook file → Swedish title; filled by the app from its page list


class PageState:
    """Whether the page failed, read by the template's footer after all cells are rendered."""

    def __init__(self) -> None:
        self.failed = False

    def fail(self, notebook: str, why: str) -> None:
        self.failed = True
        log.warning("page %s failed: %s", notebook, why)


class SipRenderer(NotebookRenderer):
    async def initialize(self, **kwargs) -> None:
        await super().initialize(**kwargs)
        title = TITLES.get(str(self.notebook_path))
        if title:
            self.notebook.metadata["title"] = title
        self.state = PageState()
        self.resources["sip"] = {"state": self.state, "title": title or ""}

    async def _jinja_cell_generator(self, nb, kernel_id):
        """Execute cell by cell; on the first failure, stop and mark the page failed (details only in the log)."""
        nb, _ = ClearOutputPreprocessor().preprocess(nb, {"metadata": {"path": self.cwd}})
        for index, cell in enumerate(nb.cells):
            try:
                await self.executor.async_execute_cell(cell, index, store_history=False)
            except Exception as exc:  # noqa: BLE001 - an error, a timeout or a dead kernel: the page cannot work
                self.state.fail(str(self.notebook_path), f"cell {index + 1}: {type(exc).__name__}")
                yield nbformat.v4.new_code_cell()
                break
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            cell["outputs"] = [o for o in cell.get("outputs", []) if not _hidden(o)]
            if errors:
                self.state.fail(str(self.notebook_path), f"cell {index + 1}: {errors[0].get('ename', 'error')}")
                yield cell
                break
            yield cell
        await self._cleanup_resources()


def _hidden(output: dict) -> bool:
    return output.get("output_type") == "error" or (output.get("output_type") == "stream" and output.get("name") == "stderr")


class FilteredConnection(ZMQChannelsWebsocketConnection):
    """The kernel websocket, minus what would show the browser a traceback or a server path."""

    def handle_outgoing_message(self, stream, outgoing_msg) -> None:
        try:
            _, parts = self.session.feed_identities(outgoing_msg)
            header = self.session.unpack(parts[1])
            kind = header.get("msg_type")
            if kind in ("error", "stream"):
                content = self.session.unpack(parts[4])
                if kind == "error" or content.get("name") == "stderr":
                    text = content.get("ename") or str(content.get("text", ""))[:300]
                    log.warning("kernel %s: %s withheld from the page: %s", self.kernel_id, kind, text.strip())
                    return
        except Exception:  # noqa: BLE001 - a message we cannot read is passed on as Jupyter would
            pass
        super().handle_outgoing_message(stream, outgoing_msg)
