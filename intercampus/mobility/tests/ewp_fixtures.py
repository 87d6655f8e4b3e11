"""Documents and agreements shared by the EWP tests."""

from __future__ import annotations

from intercampus.interop.schemas import VENDORED_DIR
from intercampus.mobility.tests.agreements_factories import (
    linked_pair,
    make_agreement,
    staff_condition,
    student_condition,
)

EXAMPLE = (
    VENDORED_DIR
    / "raw.githubusercontent.com/erasmus-without-paper/ewp-specs-api-iias/stable-v7"
    / "endpoints/get-response-example.xml"
)
EXAMPLE_HASH = "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"
EXAMPLE_IIA_ID = "0f7a5682-faf7-49a7-9cc7-ec486c49a281"


def example_bytes() -> bytes:
    return EXAMPLE.read_bytes()


def example_with_partner(schac: str) -> bytes:
    """The official example, its second partner (hibo.no) replaced by ``schac``."""
    return EXAMPLE.read_bytes().replace(b"hibo.no", schac.encode())


def demo_agreements(world):
    """Demo-like data: TPU with several agreements (one linked with KTH, one with a partner
    elsewhere, one with USP), and KTH's copy of the linked one plus one with Politecnico."""
    tpu, kth = linked_pair(world)
    make_agreement(
        world.tpu,
        "hibo.no",
        world.tpu_officer,
        code="TPU-HIBO",
        conditions=[
            student_condition("tpu.ru", "hibo.no", total_months_per_year="5.5"),
            staff_condition("hibo.no", "tpu.ru", other_info="Teaching week in May"),
        ],
    )
    make_agreement(
        world.tpu,
        "usp.br",
        world.tpu_officer,
        code="TPU-USP",
        conditions=[
            student_condition(
                "usp.br",
                "tpu.ru",
                mobility_type="student-traineeship",
                eqf_levels=[7],
                language_skills=[{"language": "ru", "cefr_level": "B1"}],
            ),
            staff_condition("tpu.ru", "usp.br", mobility_type="staff-training"),
        ],
    )
    make_agreement(
        world.kth,
        "polito.it",
        world.kth_officer,
        code="KTH-POLITO",
        conditions=[student_condition("kth.se", "polito.it")],
    )
    return tpu, kth


def two_agreements_with(schac: str) -> bytes:
    """The official example served twice under two iia-ids, both naming ``schac``."""
    text = example_with_partner(schac).decode()
    start, end = text.index("<iia>"), text.index("</iia>") + len("</iia>")
    second = text[start:end].replace(EXAMPLE_IIA_ID, "second-" + EXAMPLE_IIA_ID[7:])
    return (text[:end] + second + text[end:]).encode()
