"""Input and output schemas of the events API."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from intercampus.core.api_errors import InputSchema

KindLiteral = Literal["integration", "seminar", "summer_school"]
AudienceLiteral = Literal["everyone", "students", "newcomers"]
GroupLiteral = Literal["local", "international"]
StatusLiteral = Literal["confirmed", "waitlisted", "cancelled", "attended", "no_show"]


class OrganiserOut(Schema):
    id: str = Field(description="SCHAC code")
    name: str
    timezone: str


class EventOut(Schema):
    id: uuid.UUID
    organiser: OrganiserOut
    title: str
    description: str
    kind: KindLiteral
    starts: datetime.datetime = Field(description="In the organiser's time zone")
    ends: datetime.datetime
    place: str
    link: str
    capacity: int
    registration_opens: datetime.datetime | None
    registration_closes: datetime.datetime | None
    registration_open: bool
    audience: AudienceLiteral
    local_quota: int = Field(description="Seats reserved for local students")
    international_quota: int = Field(description="Seats reserved for international students")
    published: bool
    seats_taken: int
    seats_left: int
    waitlisted: int


class RegistrationOut(Schema):
    id: uuid.UUID
    event: uuid.UUID
    event_title: str
    status: StatusLiteral
    group: GroupLiteral
    arrival: int = Field(description="Arrival number within the event: 1, 2, 3...")
    position: int | None = Field(description="Place on the waitlist (1 = next); null otherwise")
    registered_at: datetime.datetime
    promoted_at: datetime.datetime | None = Field(description="When a seat came from the waitlist")
    checked_in_at: datetime.datetime | None


class EventDetailOut(EventOut):
    seats_left_for: dict[str, int] = Field(
        description="Seats a local or an international student can still get"
    )
    my_registration: RegistrationOut | None


class RegistrantOut(Schema):
    email: str
    name: str


class StaffRegistrationOut(Schema):
    id: uuid.UUID
    person: RegistrantOut
    status: StatusLiteral
    group: GroupLiteral
    arrival: int
    registered_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    promoted_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None


class GroupStatsOut(Schema):
    group: GroupLiteral
    registered: int
    attended: int
    share: float | None = Field(description="Share of attendees, 0–1")


class StatsOut(Schema):
    registered: int
    attended: int
    no_show: int
    waitlisted: int
    cancelled: int
    groups: list[GroupStatsOut]


class RegisterIn(InputSchema):
    group: GroupLiteral | None = Field(
        None,
        description="Needed only when the caller's roles do not tell whether they are a local "
        "or an international student at the organiser",
    )


class EventIn(InputSchema):
    """A new event; times without an offset are read on the organiser's clock."""

    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    kind: KindLiteral = "integration"
    starts: datetime.datetime
    ends: datetime.datetime
    place: str = Field("", max_length=300)
    link: str = ""
    capacity: int = Field(ge=1)
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    audience: AudienceLiteral = "students"
    local_quota: int = Field(0, ge=0)
    international_quota: int = Field(0, ge=0)
    published: bool = False


class EventPatch(InputSchema):
    """The fields of an event to change; the others stay as they are."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    kind: KindLiteral | None = None
    starts: datetime.datetime | None = None
    ends: datetime.datetime | None = None
    place: str | None = Field(None, max_length=300)
    link: str | None = None
    capacity: int | None = Field(None, ge=1)
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    audience: AudienceLiteral | None = None
    local_quota: int | None = Field(None, ge=0)
    international_quota: int | None = Field(None, ge=0)
    published: bool | None = None
