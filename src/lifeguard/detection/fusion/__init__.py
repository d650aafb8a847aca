"""Risk fusion: a person's signals (words, searches, orders, reports) folded over time into one level and a
priority, with the rules and signals that explain it. Pure domain code: no storage, no web."""

from lifeguard.detection.fusion.engine import FusedRisk, evaluate, fold, fuse, replay, signal_level
from lifeguard.detection.fusion.observe import MeansSeen, Observation, observe
from lifeguard.detection.fusion.policy import Policy, PolicyError, load_policy
from lifeguard.detection.fusion.state import SubjectRisk

__all__ = [
    "FusedRisk", "MeansSeen", "Observation", "Policy", "PolicyError", "SubjectRisk", "evaluate", "fold", "fuse",
    "load_policy", "observe", "replay", "signal_level",
]  # fmt: skip
