"""The demo consortium: CLUSTER, its work groups, meetings, projects and programme.

The consortium, its members, the Associate Partners Work Group (coordinated by TPU since the
General Assembly of 2 April 2020), E4T, InComm and the Sino-European platform are public
facts. The other groups' coordinators and appointment dates, the meetings, decisions and
actions are illustrative.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

D = datetime.date

CONSORTIUM = {
    "slug": "cluster",
    "acronym": "CLUSTER",
    "name": (
        "Consortium Linking Universities of Science and Technology for Education and Research"
    ),
    "founded": 1990,
    "website": "https://www.cluster.org",
    "description": (
        "A network of leading European universities of science and technology, founded in "
        "1990, that works together on education, mobility and research, with associate "
        "partners in Russia, Canada, Brazil and China."
    ),
}
SECRETARIAT = "kuleuven.be"
MEMBERS_SINCE = D(1990, 1, 1)
ASSOCIATES_SINCE = D(2005, 1, 1)

# Consortium totals for the latest year, split among the 16 institutions by size; earlier
# years are a little lower so that institution pages show a trend.
LATEST_YEAR = 2025
HEADCOUNT_TOTALS = {
    "professors": 3_000,
    "teachers": 11_000,
    "phd_students": 14_000,
    "students": 140_000,
}
YEAR_FACTORS = {2023: 0.97, 2024: 0.985, LATEST_YEAR: 1.0}


@dataclass(frozen=True)
class ActionData:
    title: str
    owner: str  # SCHAC code
    due: datetime.date
    status: str


@dataclass(frozen=True)
class MeetingData:
    title: str
    date: datetime.date
    location: str
    summary: str
    # (reference, text) of the decisions taken at the meeting.
    decisions: tuple[tuple[str, str], ...] = ()
    actions: tuple[ActionData, ...] = ()


@dataclass(frozen=True)
class WorkGroupData:
    slug: str
    name: str
    kind: str
    purpose: str
    aims: tuple[str, ...]
    coordinator: str  # SCHAC code
    appointed_on: datetime.date
    decision_reference: str
    decision_text: str
    members: tuple[str, ...]  # SCHAC codes, coordinator included
    # Countries whose member acts as the consortium's access point, through this group.
    access_points: tuple[str, ...] = ()
    meetings: tuple[MeetingData, ...] = ()


APWG_MEETINGS = (
    MeetingData(
        title="Kick-off meeting",
        date=D(2020, 5, 14),
        location="Online",
        summary="The group agreed its terms of reference and how access points work.",
        decisions=(
            (
                "APWG 2020/1",
                "Each associate partner acts as the consortium's access point to its country "
                "and as an ambassador of its national educational practices.",
            ),
        ),
        actions=(
            ActionData("Draft the group's terms of reference", "tpu.ru", D(2020, 6, 30), "done"),
            ActionData(
                "Collect each partner's national educational practices for the repository",
                "usp.br",
                D(2020, 12, 15),
                "done",
            ),
        ),
    ),
    MeetingData(
        title="Annual meeting 2025",
        date=D(2025, 10, 9),
        location="Tomsk",
        summary="Review of the access points' year and plans for joint summer schools.",
        decisions=(
            (
                "APWG 2025/1",
                "Propose a joint Sino-European summer school on energy systems for 2027.",
            ),
        ),
        actions=(
            ActionData(
                "Publish the access points' contacts on the consortium website",
                "polymtl.ca",
                D(2026, 3, 31),
                "open",
            ),
            ActionData(
                "Prepare the summer school proposal with the Sino-European platform",
                "tsinghua.edu.cn",
                D(2027, 2, 28),
                "in_progress",
            ),
            ActionData(
                "Survey the members' interest in double degrees with associate partners",
                "tpu.ru",
                D(2027, 4, 30),
                "open",
            ),
        ),
    ),
)

MOBILITY_MEETINGS = (
    MeetingData(
        title="Mobility coordinators' meeting",
        date=D(2025, 3, 20),
        location="Turin",
        summary="Common nomination deadlines and grade conversion across the consortium.",
        decisions=(
            (
                "MWG 2025/1",
                "Adopt common nomination deadlines: 15 April for the autumn term and "
                "15 October for the spring term.",
            ),
        ),
        actions=(
            ActionData(
                "Renew the inter-institutional agreements for 2026/2027",
                "kth.se",
                D(2025, 12, 31),
                "done",
            ),
            ActionData(
                "Compare the members' grade distribution tables (EGRACONS)",
                "kit.edu",
                D(2027, 1, 31),
                "in_progress",
            ),
        ),
    ),
)

STRATEGY_MEETINGS = (
    MeetingData(
        title="Strategy Task Force kick-off",
        date=D(2024, 2, 8),
        location="Leuven",
        summary="How the members value the network, and the outline of the 2026–2030 strategy.",
        decisions=(
            (
                "STF 2024/1",
                "Survey every member's international office and rectorate on what the "
                "network brings them before drafting the strategy.",
            ),
        ),
        actions=(
            ActionData("Run the members' survey", "kuleuven.be", D(2024, 6, 30), "done"),
            ActionData(
                "Draft the 2026–2030 strategy for the General Assembly",
                "kth.se",
                D(2027, 4, 15),
                "in_progress",
            ),
        ),
    ),
)

COMMUNICATION_MEETINGS = (
    MeetingData(
        title="Communication Work Group, spring meeting",
        date=D(2025, 5, 14),
        location="Eindhoven",
        summary="The consortium's newsletter and the stories each member sends for it.",
        decisions=(
            (
                "CWG 2025/1",
                "Publish a newsletter each term, with one story from a different member each time.",
            ),
        ),
        actions=(
            ActionData("Set up the newsletter's mailing list", "tue.nl", D(2025, 9, 1), "done"),
            ActionData(
                "Collect exchange students' stories for the spring newsletter",
                "aalto.fi",
                D(2026, 11, 30),
                "open",
            ),
        ),
    ),
)

WORK_GROUPS: tuple[WorkGroupData, ...] = (
    WorkGroupData(
        slug="associate-partners",
        name="Associate Partners Work Group",
        kind="work_group",
        purpose=(
            "Bring the associate partners and the members closer together, with each "
            "associate partner acting as the consortium's access point to its country."
        ),
        aims=(
            "Strengthen cooperation",
            "Popularise educational practices",
            "Find new ways of cooperation",
        ),
        coordinator="tpu.ru",
        appointed_on=D(2020, 4, 2),
        decision_reference="GA 2020/04-1",
        decision_text=(
            "The General Assembly appoints Tomsk Polytechnic University to coordinate the "
            "Associate Partners Work Group."
        ),
        members=("tpu.ru", "polymtl.ca", "usp.br", "tsinghua.edu.cn"),
        access_points=("RU", "CA", "BR", "CN"),
        meetings=APWG_MEETINGS,
    ),
    WorkGroupData(
        slug="mobility",
        name="Mobility Work Group",
        kind="work_group",
        purpose="Make exchanges between the members simple, fair and recognised in full.",
        aims=(
            "Common calendars and nomination deadlines",
            "Full and automatic recognition",
            "More staff mobility",
        ),
        coordinator="polito.it",
        appointed_on=D(2019, 4, 11),
        decision_reference="GA 2019/04-2",
        decision_text=(
            "The General Assembly appoints Politecnico di Torino to coordinate the Mobility "
            "Work Group."
        ),
        members=("polito.it", "kth.se", "kit.edu", "upc.edu", "tecnico.ulisboa.pt", "tpu.ru"),
        meetings=MOBILITY_MEETINGS,
    ),
    WorkGroupData(
        slug="strategy",
        name="Strategy Task Force",
        kind="task_force",
        purpose="Prepare the consortium's strategy for the General Assembly.",
        aims=("A strategy for 2026–2030", "Measures of the network's value to its members"),
        coordinator="kuleuven.be",
        appointed_on=D(2023, 11, 16),
        decision_reference="GA 2023/11-1",
        decision_text=(
            "The General Assembly sets up a Strategy Task Force coordinated by KU Leuven."
        ),
        members=("kuleuven.be", "kth.se", "aalto.fi", "tue.nl", "grenoble-inp.fr"),
        meetings=STRATEGY_MEETINGS,
    ),
    WorkGroupData(
        slug="communication",
        name="Communication Work Group",
        kind="work_group",
        purpose="Make the consortium and its opportunities known to students and staff.",
        aims=("One website and newsletter", "Shared stories from every member"),
        coordinator="tue.nl",
        appointed_on=D(2020, 4, 2),
        decision_reference="GA 2020/04-2",
        decision_text=(
            "The General Assembly appoints Eindhoven University of Technology to coordinate "
            "the Communication Work Group."
        ),
        members=("tue.nl", "tcd.ie", "uclouvain.be", "tu-darmstadt.de", "aalto.fi"),
        meetings=COMMUNICATION_MEETINGS,
    ),
)


@dataclass(frozen=True)
class OutputData:
    title: str
    due: datetime.date
    status: str
    description: str = ""


@dataclass(frozen=True)
class ProjectData:
    slug: str
    acronym: str
    name: str
    programme: str
    start: datetime.date
    end: datetime.date
    description: str
    website: str
    # (SCHAC code, role) of the partners on the platform.
    partners: tuple[tuple[str, str], ...]
    # (name, country, role) of outside organisations.
    outside_partners: tuple[tuple[str, str, str], ...] = ()
    outputs: tuple[OutputData, ...] = ()


PROJECTS: tuple[ProjectData, ...] = (
    ProjectData(
        slug="e4t",
        acronym="E4T",
        name="Entrepreneurship Education Ecosystems in Engineering and Technology",
        programme="Erasmus+ strategic partnership",
        start=D(2017, 9, 1),
        end=D(2020, 8, 31),
        description=(
            "Models for ingraining entrepreneurship education into engineering curricula, and "
            "training for the teachers who do it, shared between CLUSTER universities."
        ),
        website="https://sites.google.com/view/entrepreneurship-e4t",
        partners=(
            ("aalto.fi", "coordinator"),
            ("kit.edu", "partner"),
            ("kuleuven.be", "partner"),
            ("polito.it", "partner"),
            ("tu-darmstadt.de", "partner"),
        ),
        outputs=(
            OutputData(
                "Benchmark of the partners' entrepreneurship ecosystems",
                D(2018, 6, 30),
                "delivered",
            ),
            OutputData(
                "Teacher platform: examples of entrepreneurship in engineering courses",
                D(2019, 12, 31),
                "delivered",
            ),
            OutputData(
                "Transnational training programme for teachers", D(2020, 8, 31), "delivered"
            ),
        ),
    ),
    ProjectData(
        slug="incomm",
        acronym="InComm",
        name="InComm: Feel at Home, Integrating International and National Communities",
        programme="Erasmus+ strategic partnership",
        start=D(2019, 10, 1),
        end=D(2022, 8, 31),
        description=(
            "Onboarding of newly enrolled national and international master's and doctoral "
            "students, from three months before to three months after they arrive."
        ),
        website="https://www.incomm-project.eu",
        partners=(
            ("kth.se", "coordinator"),
            ("tue.nl", "co_coordinator"),
            ("tecnico.ulisboa.pt", "partner"),
            ("tu-darmstadt.de", "partner"),
            ("upc.edu", "partner"),
        ),
        outside_partners=(("Graz University of Technology", "AT", "partner"),),
        outputs=(
            OutputData("Catalogue of best practices in onboarding", D(2020, 9, 30), "delivered"),
            OutputData(
                "Customer journey map for master's and PhD newcomers",
                D(2021, 3, 31),
                "delivered",
            ),
            OutputData("Buddy programme guidelines", D(2021, 9, 30), "delivered"),
            OutputData("InComm+ toolkit for staff", D(2022, 8, 31), "delayed"),
        ),
    ),
)

PROGRAMMES = (
    {
        "slug": "seeep",
        "name": "Sino-European Engineering Education Platform",
        "since": 2010,
        "description": (
            "Cooperation between CLUSTER and leading Chinese universities of technology on "
            "engineering education: joint programmes, summer schools and exchanges."
        ),
    },
)
