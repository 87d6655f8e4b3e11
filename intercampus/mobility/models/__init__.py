from intercampus.mobility.models.agreements import (
    Agreement,
    AgreementApproval,
    CooperationCondition,
)
from intercampus.mobility.models.calls import (
    Application,
    ApplicationChoice,
    ApplicationDocument,
    Call,
    Place,
)
from intercampus.mobility.models.ewp import EwpImportJob
from intercampus.mobility.models.profiles import StudentProfile
from intercampus.mobility.models.runs import AllocationRun, Nomination

__all__ = [
    "Agreement",
    "AgreementApproval",
    "AllocationRun",
    "Application",
    "ApplicationChoice",
    "ApplicationDocument",
    "Call",
    "CooperationCondition",
    "EwpImportJob",
    "Nomination",
    "Place",
    "StudentProfile",
]
