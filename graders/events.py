"""Events in the graders: a case event the trainer (or the app) delivered to a group, with the plan as it stood then.

The event rules (family "events", codes E…) judge how the plan was revised after an event: they compare the plan
now with ``before`` (the snapshot taken when the event was delivered) and with what the event ``expects``
(simulator.cases.EventExpects). ``graders.grade(plan, scenario, events=[EventContext(...), ...])``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from graders.plan import Plan
from simulator.cases import CaseEvent, EventExpects


@dataclass(frozen=True, eq=False)
class EventContext:
    """One event as a group met it.

    - ``event``: the case's event (its ``expects`` say what a revised plan should show; its ``title`` names it in the
      feedback; ``private`` keeps the organisation out of the feedback every member sees, see graders.checks.events);
    - ``before``: the plan when the event was delivered (an immutable snapshot), or None when there was no plan yet;
    - ``delivered_at``: when it was delivered. None means not delivered (yet): the event then has no rule results,
      so a caller may pass every event of the case and let the graders pick the delivered ones.
    """

    event: CaseEvent
    before: Plan | None = None
    delivered_at: dt.datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def expects(self) -> EventExpects:
        return self.event.expects

    @property
    def baseline(self) -> Plan:
        """The plan to compare with: the snapshot, or an empty plan when the event came before any plan."""
        return self.before if self.before is not None else _EMPTY

    def title(self, scenario=None) -> str:
        """The event's title with the case's placeholders ({namn} …) filled from the scenario's person."""
        return _filled(self.event.title, scenario)

    def known(self, scenario=None) -> str:
        """What the whole group has read about the event: its title, whom it concerns (every member's notice says
        so), and its text unless it is private. Feedback may repeat it (sipkurs.feedback does not count it as answer
        key)."""
        from simulator.catalogue import load_catalogue  # noqa: PLC0415

        cat = load_catalogue()
        concerns = [f"{cat.organisation(a).name} {cat.organisation(a).short}" for a in self.event.affects
                    if a in cat.organisation_by_id]
        text = "" if self.event.private else "\n" + _filled(self.event.text, scenario)
        return self.title(scenario) + text + ("\n" + "\n".join(concerns) if concerns else "")


def _filled(text: str, scenario) -> str:
    if scenario is None or "{" not in text:
        return text
    from simulator.cases import person_values  # noqa: PLC0415
    from simulator.texts import fill  # noqa: PLC0415

    try:
        return fill(text, person_values(scenario.person))
    except (KeyError, ValueError, IndexError):
        return text


_EMPTY = Plan()


def delivered(events) -> list[EventContext]:
    """The delivered events in the order they were delivered (ties keep the caller's order)."""
    chosen = [e for e in events if e.delivered]
    return sorted(chosen, key=lambda e: _aware(e.delivered_at))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
