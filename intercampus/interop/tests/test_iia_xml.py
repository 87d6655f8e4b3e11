"""IIAs v7 get responses: parsing, building, round trips and refusing bad input."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from intercampus.interop import iia_xml as X
from intercampus.interop.iia_hash import hashes_of_get_response
from intercampus.interop.schemas import VENDORED_DIR, validate

EXAMPLE = (
    VENDORED_DIR
    / "raw.githubusercontent.com/erasmus-without-paper/ewp-specs-api-iias/stable-v7"
    / "endpoints/get-response-example.xml"
)
EXAMPLE_HASH = "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"
T = X.MobilityType
# A postal address the platform does not model: kept as the fragment it was received as.
ADDRESS = (
    f'<a:street-address xmlns:a="{X.ADDRESS_NS}"><a:addressLine>Valhallavägen 79</a:addressLine>'
    "<a:locality>Stockholm</a:locality><a:country>SE</a:country></a:street-address>"
)


def example() -> bytes:
    return EXAMPLE.read_bytes()


def line_of(text: bytes, needle: bytes) -> int:
    return text[: text.index(needle)].count(b"\n") + 1


def condition(
    mobility_type: X.MobilityType = T.STUDENT_STUDIES, **changes
) -> X.CooperationCondition:
    student = mobility_type.is_student
    values = {
        "mobility_type": mobility_type,
        "sending_hei_id": "tpu.ru",
        "receiving_hei_id": "kth.se",
        "receiving_first_academic_year_id": "2025/2026",
        "receiving_last_academic_year_id": "2028/2029",
        "mobilities_per_year": 2,
        "recommended_language_skills": [X.LanguageSkill("en", "B2")],
        "blended": False if student else None,
    }
    values.update(changes)
    return X.CooperationCondition(**values)


def agreement(**changes) -> X.Iia:
    values = {
        "partners": [
            X.IiaPartner(hei_id="tpu.ru", iia_id="tpu-1", iia_code="TPU/2025/1"),
            X.IiaPartner(hei_id="kth.se", iia_id="kth-9"),
        ],
        "in_effect": False,
        "cooperation_conditions": [condition()],
    }
    values.update(changes)
    return X.Iia(**values)


def rich_agreement() -> X.Iia:
    """Every modelled field filled in, markers and language tags included."""
    contact = X.Contact(
        names=[X.LangText("Anna Svensson"), X.LangText("Анна Свенссон", "ru")],
        given_names=[X.LangText("Anna")],
        family_names=[X.LangText("Svensson")],
        gender=2,
        phones=[X.PhoneNumber(e164="+46812345678", ext="12")],
        faxes=[X.PhoneNumber(other_format="08-123 456")],
        emails=["anna@kth.se"],
        addresses=[ADDRESS],
        role_descriptions=[X.LangText("Erasmus coordinator\nsecond line", "en")],
    )
    return agreement(
        partners=[
            X.IiaPartner(
                hei_id="tpu.ru",
                ounit_id="ou-7",
                iia_id="tpu-1",
                iia_code="TPU/2025/1 & co",
                signing_contact=contact,
                signing_date=dt.date(2025, 3, 14),
                contacts=[contact, X.Contact(names=[X.LangText("Office")])],
            ),
            X.IiaPartner(hei_id="kth.se", iia_id="kth-9", iia_code="KTH-9"),
        ],
        in_effect=True,
        terminated_as_a_whole=True,
        pdf_file="file-1",
        cooperation_conditions=[
            condition(
                sending_ounit_id="s-1",
                sending_contacts=[contact],
                receiving_ounit_id="r-1",
                receiving_contacts=[contact],
                mobilities_per_year_not_yet_defined=True,
                recommended_language_skills=[
                    X.LanguageSkill("sv", "B1", X.SubjectArea("0613", "Software"), True),
                    X.LanguageSkill("en"),
                ],
                subject_areas=[X.SubjectArea("0314", "Economics", "031"), X.SubjectArea("0613")],
                other_info_terms=" As agreed. ",
                total_months_per_year=Decimal("5.50"),
                eqf_levels=[6, 7],
            ),
            condition(T.STUDENT_TRAINEESHIP, recommended_language_skills=[], blended=True),
            condition(T.STAFF_TEACHER, total_days_per_year=Decimal("5")),
            condition(T.STAFF_TRAINING, recommended_language_skills=[]),
        ],
    )


# --- parsing --------------------------------------------------------------------------------


def test_parse_official_example() -> None:
    [iia] = X.parse_get_response(example())
    ours, theirs = iia.partners
    assert (ours.hei_id, ours.iia_id, ours.iia_code) == (
        "uw.edu.pl",
        "0f7a5682-faf7-49a7-9cc7-ec486c49a281",
        "983/E+/III14&15",
    )
    assert ours.signing_contact.names == [X.LangText("Sylwia Nowak")]
    assert ours.contacts[0].emails == ["email@example.com"]
    assert (theirs.hei_id, theirs.iia_id) == ("hibo.no", "1954991")
    assert iia.iia_id == ours.iia_id
    assert (iia.in_effect, iia.terminated_as_a_whole) == (True, False)
    assert (iia.iia_hash, iia.pdf_file) == (EXAMPLE_HASH, "4a483112-d306-4e77-87ff-05b823fb0e0f")
    assert [c.mobility_type for c in iia.cooperation_conditions] == [
        T.STUDENT_STUDIES,
        T.STUDENT_TRAINEESHIP,
        T.STAFF_TEACHER,
        T.STAFF_TEACHER,
        T.STAFF_TRAINING,
    ]


def test_parse_condition_fields() -> None:
    studies, traineeship, teacher, _, _ = X.parse_get_response(example())[0].cooperation_conditions
    assert studies == condition(
        sending_hei_id="uw.edu.pl",
        sending_ounit_id="140",
        receiving_hei_id="hibo.no",
        receiving_first_academic_year_id="2014/2015",
        receiving_last_academic_year_id="2020/2021",
        mobilities_per_year=2,
        recommended_language_skills=[X.LanguageSkill("en", "B1"), X.LanguageSkill("no", "B1")],
        subject_areas=[X.SubjectArea("0314")],
        total_months_per_year=Decimal("5"),
        blended=False,
        eqf_levels=[7, 8],
    )
    assert (traineeship.eqf_levels, traineeship.total_months_per_year) == ([], Decimal("10"))
    assert (teacher.total_days_per_year, teacher.blended) == (Decimal("8"), None)


# --- building -------------------------------------------------------------------------------


def test_round_trip_of_official_example() -> None:
    parsed = X.parse_get_response(example())
    built = X.build_get_response(parsed)
    assert validate(built, "iias-get-response") == []
    assert X.parse_get_response(built) == parsed
    # Nothing that feeds the hash was lost or rewritten.
    assert hashes_of_get_response(built) == hashes_of_get_response(example())


def test_round_trip_of_every_field() -> None:
    original = rich_agreement()
    built = X.build_get_response([original])
    assert validate(built, "iias-get-response") == []
    [parsed] = X.parse_get_response(built)
    assert parsed.iia_hash == hashes_of_get_response(built)[0][1]
    assert parsed == dataclasses.replace(original, iia_hash=parsed.iia_hash)
    assert X.build_get_response([parsed]) == built


def test_serving_partner_goes_first() -> None:
    iia = agreement()
    iia.partners.reverse()
    built = X.build_get_response([iia], serving_hei_id="tpu.ru")
    [parsed] = X.parse_get_response(built)
    assert [p.hei_id for p in parsed.partners] == ["tpu.ru", "kth.se"]
    assert hashes_of_get_response(built)[0][0] == "tpu-1"
    assert [p.hei_id for p in iia.partners] == ["kth.se", "tpu.ru"]  # input left alone


def test_conditions_are_grouped_in_schema_order() -> None:
    teacher_a = condition(T.STAFF_TEACHER, sending_hei_id="tpu.ru")
    teacher_b = condition(T.STAFF_TEACHER, sending_hei_id="kth.se", receiving_hei_id="tpu.ru")
    training = condition(T.STAFF_TRAINING)
    studies = condition()
    iia = agreement(cooperation_conditions=[training, teacher_a, studies, teacher_b])
    [parsed] = X.parse_get_response(X.build_get_response([iia]))
    assert parsed.cooperation_conditions == [studies, teacher_a, teacher_b, training]


def test_empty_response() -> None:
    built = X.build_get_response([])
    assert validate(built, "iias-get-response") == []
    assert X.parse_get_response(built) == []


def test_hash_is_computed_over_what_is_served() -> None:
    iia = agreement(iia_hash="f" * 64)
    built = X.build_get_response([iia])
    [(iia_id, served_hash)] = hashes_of_get_response(built)
    assert iia_id == "tpu-1"
    assert X.parse_get_response(built)[0].iia_hash == served_hash != "f" * 64


@pytest.mark.parametrize(
    ("iia", "kwargs", "message"),
    [
        (agreement(), {"serving_hei_id": "uio.no"}, "no partner has hei-id 'uio.no'"),
        (
            agreement(partners=[X.IiaPartner("tpu.ru", iia_id="1"), X.IiaPartner("kth.se")]),
            {},
            "serving partner needs iia-id and iia-code",
        ),
        (
            agreement(cooperation_conditions=[condition(T.STAFF_TEACHER, blended=True)]),
            {},
            "staff-teacher-mobility-spec cannot carry blended",
        ),
        (
            agreement(cooperation_conditions=[condition(total_days_per_year=Decimal(3))]),
            {},
            "cannot carry total_days_per_year",
        ),
    ],
    ids=["unknown-serving-hei", "no-iia-code", "staff-blended", "student-days"],
)
def test_build_refuses_inconsistent_data(iia, kwargs, message) -> None:
    with pytest.raises(X.IiaXmlError, match=message):
        X.build_get_response([iia], **kwargs)


def test_build_refuses_schema_invalid_data() -> None:
    no_language = agreement(cooperation_conditions=[condition(recommended_language_skills=[])])
    with pytest.raises(X.IiaXmlError, match="recommended-language-skill") as raised:
        X.build_get_response([no_language])
    assert raised.value.problems[0].line is None or raised.value.problems[0].line >= 1

    three_digits = agreement(
        cooperation_conditions=[condition(subject_areas=[X.SubjectArea("031")])]
    )
    with pytest.raises(X.IiaXmlError, match="isced-f-code"):
        X.build_get_response([three_digits])


# --- refusing bad input ---------------------------------------------------------------------


def refused(xml: bytes) -> X.IiaXmlError:
    with pytest.raises(X.IiaXmlError) as raised:
        X.parse_get_response(xml)
    return raised.value


def test_wrong_namespace_is_refused() -> None:
    v6 = example().replace(
        b'stable-v7/endpoints/get-response.xsd"', b'stable-v6/endpoints/get-response.xsd"', 1
    )
    error = refused(v6)
    assert "stable-v6/endpoints/get-response.xsd}iias-get-response" in str(error)
    assert "expected" in str(error) and "line " in str(error)


def test_missing_required_element_is_refused() -> None:
    xml = example().replace(b"<in-effect>true</in-effect>", b"")
    error = refused(xml)
    [problem] = error.problems
    assert problem.line == line_of(xml, b"<cooperation-conditions>")
    assert "'in-effect' expected" in problem.message
    assert f"line {problem.line}" in str(error)


def test_invalid_value_is_refused_with_its_line() -> None:
    xml = example().replace(b"<eqf-level>8</eqf-level>", b"<eqf-level>9</eqf-level>")
    [problem] = refused(xml).problems
    assert problem.line == line_of(xml, b"<eqf-level>9")
    assert problem.path.endswith("student-studies-mobility-spec/eqf-level[2]")


def test_not_well_formed_is_refused() -> None:
    xml = example().replace(b"</in-effect>", b"</in-efect>")
    error = refused(xml)
    assert error.problems[0].line == line_of(xml, b"</in-efect>")
    assert "in-efect" in str(error) and "not well-formed" in str(error)


def test_doctype_is_refused() -> None:
    xml = b'<!DOCTYPE x [<!ENTITY e "e">]>\n' + example().split(b"?>", 1)[-1]
    assert "DOCTYPE" in str(refused(xml))


def test_mutating_parsed_data_does_not_touch_a_copy() -> None:
    [parsed] = X.parse_get_response(example())
    kept = copy.deepcopy(parsed)
    parsed.cooperation_conditions[0].eqf_levels.append(6)
    assert kept != parsed
