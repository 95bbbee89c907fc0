"""Overrides of Faust internals, kept apart from the glue code and checked at start-up."""

from agents.faust_patches.consumer import use_rewinding_consumer
from agents.faust_patches.flow import use_resume_once_flow_control
from agents.faust_patches.guard import FaustInternalsChanged, require_faust_internals

__all__ = [
    "FaustInternalsChanged",
    "require_faust_internals",
    "use_resume_once_flow_control",
    "use_rewinding_consumer",
]
