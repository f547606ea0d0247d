"""Scenario simulator: the SIP domain catalogue and fictional Swedish persons with multi-agency needs.

Flow: catalogue (data) → archetype (data) → engine → Scenario (person + ground truth).
"""

from simulator.catalogue import Catalogue, load_catalogue
from simulator.engine import generate, generate_many, generate_variants
from simulator.models import GroundTruth, Person, Scenario

__all__ = [
    "Catalogue",
    "GroundTruth",
    "Person",
    "Scenario",
    "generate",
    "generate_many",
    "generate_variants",
    "load_catalogue",
]
