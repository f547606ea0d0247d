"""Deriving the ground truth a good plan must reflect from a scenario's needs and the catalogue.

The same derivation serves generated scenarios and authored cases, so the graders see one kind of truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from simulator.catalogue import Catalogue
from simulator.models import GroundTruth, Need, NeedTruth


def _in_catalogue_order(catalogue: Catalogue, org_ids: Iterable[str]) -> tuple[str, ...]:
    wanted = set(org_ids)
    return tuple(o.id for o in catalogue.organisations if o.id in wanted)


def derive_ground_truth(
    catalogue: Catalogue,
    needs: Iterable[Need],
    expected_efforts: Mapping[str, Iterable[str]],
    *,
    efforts_in_place: Iterable[str] = (),
    signals: Iterable[str] = (),
    discharge: bool = False,
    target_groups: Iterable[str] = (),
    ages: tuple[int, int] | None = None,
) -> GroundTruth:
    """The truth for these needs. ``ages`` is the person's age (or a case's age range): units that do not serve it
    (BUP for an adult) are left out wherever another provider does."""
    need_truths: list[NeedTruth] = []
    conditions: set[str] = set()
    for need in needs:
        efforts = tuple(expected_efforts[need.id])
        providers = {p for e in efforts for p in catalogue.providers_for(e, ages)}
        need_truths.append(
            NeedTruth(
                need=need.id,
                area=need.area,
                responders=tuple(catalogue.responders_for_area(need.area, ages)),
                expected_efforts=efforts,
                expected_providers=_in_catalogue_order(catalogue, providers),
            )
        )
        conditions.update(need.conditions)

    all_efforts = list(dict.fromkeys(e for t in need_truths for e in t.expected_efforts))
    involved = _in_catalogue_order(catalogue, (p for t in need_truths for p in t.expected_providers))
    other_actor_efforts = tuple(
        e for e in all_efforts if all(catalogue.organisation(p).is_other_actor for p in catalogue.providers_for(e, ages))
    )
    other_actors = _in_catalogue_order(catalogue, (p for e in other_actor_efforts for p in catalogue.providers_for(e, ages)))
    principals = {catalogue.principal_of(o) for o in involved} - {None}
    groups = tuple(catalogue.presumption_groups_for(conditions))
    return GroundTruth(
        needs=tuple(need_truths),
        organisations=involved,
        other_actor_efforts=other_actor_efforts,
        other_actors=other_actors,
        efforts_in_place=tuple(e for e in dict.fromkeys(efforts_in_place) if e in all_efforts),
        presumed_sip=bool(groups),
        presumption_groups=groups,
        acceptable_overall=tuple(p.id for p in catalogue.principals if p.id in principals),
        signals=tuple(s.id for s in catalogue.signals if s.id in set(signals)),
        discharge=discharge,
        target_groups=tuple(target_groups),
    )
