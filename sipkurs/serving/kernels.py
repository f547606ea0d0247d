"""Kernels under limits: how many start at once, how many exist, how many one address holds, when they are released.

``SipKernelManager`` is the kernel manager Voila's pool wraps (VoilaConfiguration.multi_kernel_manager_class);
``pool_manager`` wraps Voila's pool class in turn. Together:

- **a start gate**: at most ``start_concurrency`` kernels start at once (a start costs ~0.5 s of CPU; 40 at once on two
  cores made every one of them miss its deadline). A page request goes before a pool refill; a pool refill holds its
  slot until the kernel has imported everything and waits for its page, and only starts while there is room;
- **caps**: ``max_kernels`` in total (pool included) and ``max_per_address`` held by one client address. A page that
  cannot get a kernel gets ``Refused`` before any kernel is started, so a refusal leaves nothing behind;
- **readiness**: a kernel counts as started when it answers, not when its process exists; one that does not answer
  within ``ready_timeout`` is stopped;
- **release**: a kernel whose page is gone (no websocket) is stopped after ``abandoned_timeout`` seconds without
  activity, one whose page is open but untouched after ``idle_timeout``; a kernel that dies is removed at once
  (jupyter_client's restarter is configured not to restart it: a restarted kernel has lost the page's widgets).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.provisioning import KernelProvisionerFactory
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from traitlets import Bool, default

from sipkurs.serving.config import Limits, fork_kernels_default

log = logging.getLogger("sipkurs.serving")

PAGE, POOL = 0, 1  # start priorities: a person waiting goes first
PAGE_KERNEL = "sipkurs.serving.kernel"  # ipykernel without the debugger (sipkurs/serving/kernel.py)
FORK_PROVISIONER = "sipkurs-fork"  # page kernels forked from a preloaded process (sipkurs/serving/forkserver.py)


class PageKernelSpecManager(KernelSpecManager):
    """The installed kernel specs, with the Python kernel started as a page kernel (``PAGE_KERNEL``).

    Only a spec that runs ``-m ipykernel_launcher`` is changed, and only that module name: the interpreter, the other
    arguments and the spec's environment stay as installed. With ``fork`` such a kernel is started by the fork
    server's provisioner (which starts it normally whenever the fork server cannot).
    """

    fork = Bool(help="Start page kernels as forks of a preloaded process (shares ~100 MiB).").tag(config=True)

    @default("fork")
    def _fork_default(self) -> bool:
        return fork_kernels_default()

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        argv = list(spec.argv)
        for i in range(len(argv) - 1):
            if argv[i] == "-m" and argv[i + 1] == "ipykernel_launcher":
                argv[i + 1] = PAGE_KERNEL
                spec.argv = argv
                if self.fork:
                    self._fork(spec)
                break
        return spec

    def _fork(self, spec: KernelSpec) -> None:
        metadata = dict(spec.metadata or {})
        metadata["kernel_provisioner"] = {"provisioner_name": FORK_PROVISIONER, "config": {}}
        forked = KernelSpec(**{**spec.to_dict(), "metadata": metadata, "resource_dir": spec.resource_dir})
        if KernelProvisionerFactory.instance().is_provisioner_available(forked):
            spec.metadata = metadata
        else:  # sipkurs installed without its entry points (an old editable install): kernels start normally
            log.warning("page kernels start without the fork server: provisioner %s is not installed", FORK_PROVISIONER)


class Refused(Exception):
    """A page cannot get a kernel now. ``reason``: full, address, busy or failed (the waiting page explains each)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Waiting(Exception):
    """A kernel is being started for this page; ``position`` pages are ahead of it (0: it is starting now)."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


@dataclass
class PageRequest:
    """The page request being served (a context variable, so the kernel manager knows whom a kernel is for).

    ``place`` identifies the browser tab's place in the queue (a cookie and the address it asked for): the same tab
    asking again gets the kernel started for it, not a new place at the back.
    """

    address: str
    place: str | None = None
    kernel_id: str | None = None


@dataclass
class Reservation:
    """A kernel being started for a page that is shown the waiting page meanwhile."""

    address: str
    ticket: Ticket
    task: asyncio.Task
    seen: float  # the last time the waiting page asked (loop time)


current_request: ContextVar[PageRequest | None] = ContextVar("sipkurs_page_request", default=None)
_holding_slot: ContextVar[bool] = ContextVar("sipkurs_holding_slot", default=False)


@dataclass(order=True)
class Ticket:
    priority: int
    seq: int
    future: asyncio.Future | None = field(default=None, compare=False)


class StartGate:
    """A priority semaphore: ``slots`` holders at most, lowest priority number first, then first come.

    Tickets with priority POOL are only granted while ``room()`` says another kernel fits.
    """

    def __init__(self, slots: int, room, quiet: float = 2.0) -> None:
        self.slots, self.room, self.quiet = max(1, slots), room, quiet
        self.busy = 0
        self.pool_busy = 0
        self.waiting: list[Ticket] = []
        self._seq = itertools.count()
        self._last_page = float("-inf")
        self._wakeup = None

    def ticket(self, priority: int) -> Ticket:
        return Ticket(priority, next(self._seq))

    async def acquire(self, ticket: Ticket, timeout: float | None = None) -> None:
        ticket.future = asyncio.get_running_loop().create_future()
        self.waiting.append(ticket)
        self.poke()
        try:
            await asyncio.wait_for(asyncio.shield(ticket.future), timeout)
        except BaseException:
            if ticket in self.waiting:
                self.waiting.remove(ticket)
            elif ticket.future.done() and not ticket.future.cancelled():
                self.release(ticket)  # granted just as we gave up
            raise

    def release(self, ticket: Ticket) -> None:
        self.busy -= 1
        if ticket.priority >= POOL:
            self.pool_busy -= 1
        self.poke()

    def poke(self) -> None:
        """Grant waiting tickets while slots are free (call when room may have changed).

        Pool refills never take the last free slot (with two or more slots), and wait until no page has been asked
        for in ``quiet`` seconds: during a burst of arrivals the processors go to the people waiting, not to the
        pool's imports (a refill costs ~2 s of CPU, a page ~0.7 s).
        """
        self.waiting.sort()
        while self.busy < self.slots and self.waiting:
            head = self.waiting[0]
            if head.priority >= POOL:
                if not self.room() or self.pool_busy >= self.pool_slots:
                    return  # only pool refills wait (pages sort first): no room, or they would take the page slot
                loop = asyncio.get_event_loop()
                calm = self._last_page + self.quiet - loop.time()
                if calm > 0:
                    if self._wakeup is None:
                        self._wakeup = loop.call_later(calm, self._wake)
                    return
            self.waiting.pop(0)
            self.busy += 1
            if head.priority >= POOL:
                self.pool_busy += 1
            else:
                self.arrival()
            head.future.set_result(head.priority)

    def arrival(self) -> None:
        """A page was asked for (a start, or a preheated kernel taken): refills keep quiet a while longer."""
        self._last_page = asyncio.get_event_loop().time()

    def _wake(self) -> None:
        self._wakeup = None
        self.poke()

    @property
    def pool_slots(self) -> int:
        return max(1, self.slots - 1)

    @property
    def queued_pages(self) -> int:
        return sum(1 for t in self.waiting if t.priority == PAGE)


class SipKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with the start gate, the caps, readiness and our culling rules."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.limits = Limits()
        self.owners: dict[str, str] = {}  # kernel id → client address of the page it serves
        self.reservations: dict[str, Reservation] = {}  # place → kernel being started for a waiting page
        self._launching = 0
        self.gate = StartGate(self.limits.start_concurrency, self.has_room)

    def configure(self, limits: Limits) -> None:
        self.limits = limits
        self.gate.slots = max(1, limits.start_concurrency)

    # --- counting ------------------------------------------------------------------------------------------------
    def total(self) -> int:
        return len(self._kernels) + self._launching

    def has_room(self) -> bool:
        return self.total() < self.limits.max_kernels

    def held_by(self, address: str) -> int:
        kernels = sum(1 for kid, owner in self.owners.items() if owner == address and kid in self._kernels)
        return kernels + sum(1 for r in self.reservations.values() if r.address == address)

    def reserved_ready(self, place: str | None) -> bool:
        """Whether a kernel started for this place is ready (the page then takes it rather than a pool kernel)."""
        reservation = self.reservations.get(place or "")
        return reservation is not None and reservation.task.done()

    def drop_reservation(self, place: str | None) -> None:
        """The page was served otherwise (a pool kernel became ready): its place in the queue is given up."""
        reservation = self.reservations.pop(place or "", None)
        if reservation is not None:
            self._abandon(reservation)

    # --- starting ------------------------------------------------------------------------------------------------
    async def start_kernel(self, **kwargs) -> str:  # type: ignore[override]
        """A kernel for the current page, started through the gate with the page's place kept.

        The request waits up to ``limits.hold`` seconds; if the kernel is not ready by then it raises ``Waiting`` (the
        handler shows the waiting page, which asks again in a moment) while the kernel goes on starting for that
        place, and the next request of the same place gets it. A start that cannot happen raises ``Refused``.
        """
        if _holding_slot.get():  # a pool refill that already holds a slot (see pool_manager)
            return await self._launch(**kwargs)
        request = current_request.get()
        place = request.place if request is not None else None
        reservation = self.reservations.get(place or "")
        if reservation is not None:
            reservation.seen = asyncio.get_running_loop().time()
            if not reservation.task.done():
                raise Waiting(self.position(reservation.ticket))
            del self.reservations[place]
            kernel_id = reservation.task.result()  # raises Refused if the start failed
            self.claim(kernel_id)
            return kernel_id
        self.gate.arrival()
        if not self.has_room():
            raise Refused("full")
        ticket = self.gate.ticket(PAGE)
        if place is None:  # nothing to come back with: wait here
            kernel_id = await self._start(ticket, self.limits.start_wait, kwargs)
        else:
            task = asyncio.ensure_future(self._start(ticket, None, kwargs))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # a failure is read on the next visit
            reservation = Reservation(request.address, ticket, task, asyncio.get_running_loop().time())
            self.reservations[place] = reservation
            try:
                done, _ = await asyncio.wait({task}, timeout=self.limits.hold)
            except asyncio.CancelledError:  # the browser left
                self.drop_reservation(place)
                raise
            if not done:
                log.info("a page from %s waits for its kernel: %d ahead", request.address, self.position(ticket))
                raise Waiting(self.position(ticket))
            del self.reservations[place]
            kernel_id = task.result()
        self.claim(kernel_id)
        return kernel_id

    async def _start(self, ticket: Ticket, wait: float | None, kwargs: dict) -> str:
        try:
            await self.gate.acquire(ticket, wait)
        except TimeoutError:
            raise Refused("busy") from None
        try:
            if not self.has_room():
                raise Refused("full")
            return await self._launch(**kwargs)
        finally:
            self.gate.release(ticket)

    def position(self, ticket: Ticket) -> int:
        """Pages ahead of ``ticket`` in the queue (0: it has its slot and is starting)."""
        if ticket not in self.gate.waiting:
            return 0
        return 1 + sum(1 for t in self.gate.waiting if t.priority == PAGE and t < ticket)

    def expire_reservations(self, unseen: float = 20.0) -> None:
        """Give up places whose waiting page stopped asking (the tab was closed); stop kernels started for them."""
        now = asyncio.get_running_loop().time()
        for place, reservation in list(self.reservations.items()):
            if now - reservation.seen > unseen:
                del self.reservations[place]
                log.info("a place in the queue was given up: its waiting page stopped asking")
                self._abandon(reservation)

    def _abandon(self, reservation: Reservation) -> None:
        if reservation.task.done():
            self._stop_orphan(reservation.task)
        else:
            reservation.task.cancel()  # out of the queue, or (if starting) stopped once it has started

    def claim(self, kernel_id: str) -> None:
        """Record that the current page request holds ``kernel_id``."""
        request = current_request.get()
        if request is not None:
            request.kernel_id = kernel_id
            self.owners[kernel_id] = request.address

    async def _launch(self, **kwargs) -> str:
        """Start a kernel and wait until it answers; stop it if it does not. Survives the caller's cancellation."""
        task = asyncio.ensure_future(self._launch_and_wait(**kwargs))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(self._stop_orphan)  # the page went away while its kernel started
            raise

    def _stop_orphan(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is None:
            log.info("kernel %s stopped: its page went away while it started", task.result())
            asyncio.ensure_future(self.stop(task.result()))

    async def _launch_and_wait(self, **kwargs) -> str:
        self._launching += 1
        try:
            kernel_id = await super().start_kernel(**kwargs)
        except Exception:
            log.exception("a kernel failed to start")
            raise Refused("failed") from None
        finally:
            self._launching -= 1
        try:
            await self._wait_ready(kernel_id)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the kernel is of no use: stop it
            log.warning("kernel %s stopped: it did not answer within %.0f s (%s)", kernel_id, self.limits.ready_timeout, exc)
            await self.stop(kernel_id)
            raise Refused("failed") from None
        return kernel_id

    async def _wait_ready(self, kernel_id: str) -> None:
        client = self.get_kernel(kernel_id).client()
        client.start_channels()
        try:
            await asyncio.wait_for(client._async_wait_for_ready(timeout=self.limits.ready_timeout), self.limits.ready_timeout + 1)
        finally:
            client.stop_channels()

    async def stop(self, kernel_id: str) -> None:
        """Shut a kernel down if it still exists; never raises."""
        if kernel_id not in self._kernels:
            return
        try:
            await self.shutdown_kernel(kernel_id, now=True)
        except Exception:  # noqa: BLE001 - already gone, or the process refused: nothing more to do
            self.remove_kernel(kernel_id)

    def remove_kernel(self, kernel_id: str):
        kernel = super().remove_kernel(kernel_id)
        self.owners.pop(kernel_id, None)
        self.gate.poke()  # room for a waiting pool refill
        return kernel

    # --- releasing -----------------------------------------------------------------------------------------------
    async def cull_kernels(self) -> None:
        self.expire_reservations()
        await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return
        if getattr(kernel, "execution_state", None) == "dead":
            log.info("kernel %s stopped: dead", kernel_id)
            await self.stop(kernel_id)
            return
        last = getattr(kernel, "last_activity", None)
        if last is None:
            return
        idle = (utcnow() - last).total_seconds()
        connected = self._kernel_connections.get(kernel_id, 0) > 0
        busy = getattr(kernel, "execution_state", None) == "busy"
        limit = self.limits.idle_timeout if (connected or busy) else self.limits.abandoned_timeout
        if idle > limit:
            why = "its page is open but untouched" if connected else ("busy without output" if busy else "its page is gone")
            log.info("kernel %s stopped after %d s without activity: %s", kernel_id, idle, why)
            await self.stop(kernel_id)


def _ready(task: asyncio.Future) -> bool:
    return task.done() and not task.cancelled() and task.exception() is None


def pool_manager(voila_factory):
    """Wrap Voila's ``voila_kernel_manager_factory`` so that its pool class refills through the start gate."""

    def factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        cls = voila_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        if not preheat_kernel:
            return cls

        class SipPoolKernelManager(cls):
            """Voila's pool, taking only kernels that are ready, refilling at low priority, pruning failures."""

            def _prune(self, notebook: str) -> None:
                pool = self._pools.get(notebook, [])
                failed = [t for t in pool if t.done() and not _ready(t)]
                for task in failed:
                    pool.remove(task)
                    log.warning("a preheated kernel for %s failed to start; the pool is refilled", notebook)
                if failed:
                    self.fill_if_needed(delay=10, notebook_name=notebook)

            def get_pool_size(self, notebook_name: str) -> int:
                """Kernels ready now: a page never waits behind a refill that is still importing. A page whose own
                kernel (started while it waited) is ready takes that one."""
                self._prune(notebook_name)
                request = current_request.get()
                if request is not None and self.reserved_ready(request.place):
                    return 0
                return sum(1 for t in self._pools.get(notebook_name, []) if _ready(t))

            async def get_rendered_notebook(self, notebook_name, extra_kernel_env_variables=None, **kwargs):
                self.gate.arrival()
                pool = self._pools.get(notebook_name, [])
                ready = next((t for t in pool if _ready(t)), None)
                if ready is None:
                    raise Refused("busy")
                pool.remove(ready)
                pool.insert(0, ready)
                # Voila would put this request's URL (with ?kod=) into the refill kernel's environment: not ours.
                render_task, cache, kernel_id = await super().get_rendered_notebook(notebook_name, {}, **kwargs)
                self.claim(kernel_id)
                request = current_request.get()
                if request is not None:
                    self.drop_reservation(request.place)
                return render_task, cache, kernel_id

            async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
                if kernel_id is not None:  # a restart of an existing kernel: not a new start
                    return await super()._initialize(notebook_path, kernel_id, **kwargs)
                ticket = self.gate.ticket(POOL)
                await self.gate.acquire(ticket)
                token = _holding_slot.set(True)
                try:
                    result = await super()._initialize(notebook_path, None, **kwargs)
                    await self._until_waiting(result)
                    return result
                finally:
                    _holding_slot.reset(token)
                    self.gate.release(ticket)

            async def _until_waiting(self, result: dict) -> None:
                """Hold the slot until the kernel has run its imports and waits for a page (or gave up)."""
                from voila.request_info_handler import RequestInfoSocketHandler

                loop = asyncio.get_running_loop()
                deadline = loop.time() + self.limits.ready_timeout
                while loop.time() < deadline:
                    if result["kernel_id"] in RequestInfoSocketHandler._waiters or result["task"].done():
                        return
                    await asyncio.sleep(0.05)

        return SipPoolKernelManager

    return factory
