"""Faker providers for the sv_SE locale, one per concern (identity, scenario)."""

from simulator.providers.identity import IdentityProvider
from simulator.providers.scenario import ScenarioProvider

__all__ = ["IdentityProvider", "ScenarioProvider"]
