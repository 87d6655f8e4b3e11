"""Onboarding models, one module per aggregate; import them from here."""

from intercampus.onboarding.models.buddies import (
    BuddyMatch,
    BuddyProfile,
    BuddyProgramme,
    CheckIn,
    NewcomerProfile,
)
from intercampus.onboarding.models.journeys import (
    Journey,
    JourneyStep,
    JourneyStepState,
    JourneyTemplate,
)

__all__ = [
    "BuddyMatch",
    "BuddyProfile",
    "BuddyProgramme",
    "CheckIn",
    "Journey",
    "JourneyStep",
    "JourneyStepState",
    "JourneyTemplate",
    "NewcomerProfile",
]
