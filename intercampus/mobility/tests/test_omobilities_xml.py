"""Nominations as EWP Outgoing Mobilities v3: valid against the official schema, and what a
document must carry."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django_scopes import scope
from lxml import etree

from intercampus.interop import schemas
from intercampus.mobility import ewp_omobilities as omob
from intercampus.mobility.selectors import nominations as selectors
from intercampus.mobility.services import nominations as services
from intercampus.mobility.tests import test_nominations_factories as f

NS = {"o": omob.OMOBILITIES_NS}
EXAMPLE = (
    Path(schemas.__file__).parent
    / "ewp_schemas/ewp-registry-service-copies/latest-examples"
    / "ewp-specs-api-omobilities-endpoints-get-response-example.xml"
)


def _mobility(**changes) -> omob.StudentMobility:
    """The values of the official example, as our dataclasses hold them."""
    fields = {
        "omobility_id": "c442c289-5541-4cae-9edb-8ad83e133613",
        "student": omob.Student(
            given_names="Ivan Petrovich",
            family_name="Sidorov",
            global_id="urn:schac:personalUniqueCode:int:esi:uio.no:1234567890",
            birth_date=datetime.date(1985, 5, 5),
            nationality="NO",
            gender=1,
            email="ivan@example.com",
        ),
        "sending_hei_id": "uio.no",
        "sending_ounit_id": "140",
        "sending_iia_id": "dd87538e-49e3-44ae-844e-55ad1b819ce9",
        "receiving_hei_id": "uw.edu.pl",
        "receiving_iia_id": "549117543",
        "sending_term_id": "2022/2023-2/2",
        "receiving_academic_year_id": "2022/2023",
        "agreement_isced_f_code": "1234",
        "eqf_level": 8,
        "nominee_isced_f_code": "1234",
        "status": "approved",
        "extra_names": (("ru-Cyrl", "Иван Петрович", "Сидоров"),),
    }
    fields.update(changes)
    return omob.StudentMobility(**fields)


def _text(root, path: str) -> list[str]:
    return [el.text for el in root.xpath(path, namespaces=NS)]


def test_the_official_example_is_valid_for_our_validator():
    assert schemas.validate(EXAMPLE.read_bytes(), omob.KIND) == []


def test_the_official_examples_values_make_a_valid_document():
    document = omob.build_get_response([_mobility()])
    assert schemas.validate(document, omob.KIND) == []
    root = etree.fromstring(document)
    assert _text(root, "//o:given-names") == ["Ivan Petrovich", "Иван Петрович"]
    assert _text(root, "//o:sending-hei/o:iia-id") == ["dd87538e-49e3-44ae-844e-55ad1b819ce9"]


def test_an_empty_list_is_a_valid_document():
    assert schemas.validate(omob.build_get_response([]), omob.KIND) == []


def test_a_mobility_with_no_known_term_is_a_non_standard_period():
    root = etree.fromstring(omob.build_get_response([_mobility(sending_term_id=None)]))
    assert root.xpath("//o:non-standard-mobility-period", namespaces=NS)


def test_invalid_data_is_refused_with_the_schemas_reason():
    with pytest.raises(omob.OMobilityXmlError) as refused:
        omob.build_get_response(
            [
                _mobility(
                    student=_mobility().student.__class__(
                        **{**_mobility().student.__dict__, "nationality": "Norway"}
                    )
                )
            ]
        )
    assert refused.value.problems


def test_our_iia_id_is_served_only_with_the_receiving_ones():
    root = etree.fromstring(omob.build_get_response([_mobility(receiving_iia_id=None)]))
    assert root.xpath("//o:iia-id", namespaces=NS) == []


def test_the_proposal_id_changes_with_the_nomination_and_not_with_the_student():
    first = _mobility()
    assert first.proposal_id == _mobility(status="pending").proposal_id
    assert first.proposal_id != _mobility(eqf_level=7).proposal_id


@pytest.mark.parametrize(
    ("code", "detailed"),
    [("0714", "0714"), ("071", "0710"), ("07", "0700"), ("", "9999"), ("x1", "9999")],
)
def test_subject_areas_become_four_digit_isced_codes(code, detailed):
    assert omob.detailed_isced(code) == detailed


def test_kths_nominations_export_validates_and_carries_the_mobility(world):
    _call, _place, application = f.kth_placed(world)
    nomination = services.nomination_create(actor=world.kth_officer, application=application)
    services.nomination_accept(actor=world.tpu_officer, nomination=nomination)
    with scope(institution=world.kth):
        export = selectors.omobilities_export(world.kth)
    assert export.left_out == []
    document = omob.build_get_response(export.mobilities)
    assert schemas.validate(document, omob.KIND) == []
    root = etree.fromstring(document)
    assert _text(root, "//o:omobility-id") == [nomination.omobility_id]
    assert _text(root, "//o:sending-hei/o:hei-id") == ["kth.se"]
    assert _text(root, "//o:receiving-hei/o:hei-id") == ["tpu.ru"]
    assert _text(root, "//o:agreement-isced-f-code") == ["0714"]
    assert _text(root, "//o:eqf-level-studied-at-departure") == ["7"]
    assert _text(root, "//o:given-names") == ["Astrid"]
    assert _text(root, "//o:family-name") == ["Lindqvist"]
    assert _text(root, "//o:global-id") == [
        "urn:schac:personalUniqueCode:int:esi:kth.se:19800101-1234"
    ]
    assert _text(root, "//o:status") == ["approved"]
    assert _text(root, "//o:sending-academic-term-ewp-id") == ["2027/2028-1/2"]
    # The two copies are linked: both iia-ids are served.
    assert len(root.xpath("//o:iia-id", namespaces=NS)) == 2


def test_a_nomination_without_birth_date_is_left_out_and_says_why(world):
    call, place, application = f.kth_placed(world)
    services.nomination_create(actor=world.kth_officer, application=application)
    student = f.named_student(world.kth, "Dag", "Berg", profile=False)
    nomination = services.nomination_create(
        actor=world.kth_officer, application=f.placed(call, place, student)
    )
    with scope(institution=world.kth):
        export = selectors.omobilities_export(world.kth, call=call)
    assert len(export.mobilities) == 1
    [(left, gaps)] = export.left_out
    assert left == nomination
    assert "the student's date of birth" in gaps
    assert "the student's nationality" in gaps


def test_without_a_profile_the_users_uuid_is_the_esi_code(world):
    call, place, _application = f.kth_placed(world)
    student = f.named_student(world.kth, "Dag", "Berg", profile=False)
    nomination = services.nomination_create(
        actor=world.kth_officer, application=f.placed(call, place, student)
    )
    mobility = selectors.incoming_view(nomination).mobility
    assert (
        mobility.student.global_id == f"urn:schac:personalUniqueCode:int:esi:kth.se:{student.uuid}"
    )
