"""Onboarding models, one module per aggregate; import them from here."""

from intercampus.onboarding.models.journeys import (
    Journey,
    JourneyStep,
    JourneyStepState,
    JourneyTemplate,
)

__all__ = [
    "Journey",
    "JourneyStep",
    "JourneyStepState",
    "JourneyTemplate",
]
