"""The EWP services: export of an institution's copies, import of a get response (who owns
each copy, the hash as received, links to copies on the platform, refusals that store
nothing) and the iia-hash of a document."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from lxml import etree

from intercampus.core.models import AuditEntry
from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.interop.iia_hash import hashes_of_get_response
from intercampus.interop.iia_xml import CONTACT_NS, IIA_NS, IiaXmlError
from intercampus.interop.schemas import EwpXmlError, shared_ewp_dir, validate
from intercampus.mobility.models import (
    Agreement,
    AgreementApproval,
    CooperationCondition,
    EwpImportJob,
)
from intercampus.mobility.services import ewp as services
from intercampus.mobility.services import ewp_jobs
from intercampus.mobility.tests.agreements_factories import (
    linked_pair,
    make_agreement,
    student_condition,
)
from intercampus.mobility.tests.ewp_fixtures import (
    EXAMPLE_HASH,
    EXAMPLE_IIA_ID,
    demo_agreements,
    example_bytes,
    example_with_partner,
    two_agreements_with,
)

pytestmark = pytest.mark.django_db

NOT_WELL_FORMED = example_bytes()[:400]
WRONG_NAMESPACE = example_bytes().replace(
    b'stable-v7/endpoints/get-response.xsd"', b'stable-v6/endpoints/get-response.xsd"', 1
)
MIGRATION_HASH = "87b33170d7a6c6d894215641f39e7b7de36501265479e5ab3922f32d5b225033"
MISSING_ELEMENT = example_bytes().replace(b"<in-effect>true</in-effect>", b"")


def counts() -> tuple[int, int, int, int]:
    with scopes_disabled():
        return (
            Institution.objects.count(),
            Agreement.objects.count(),
            CooperationCondition.objects.count(),
            AuditEntry.objects.count(),
        )


def copy_of(owner: str, iia_id: str) -> Agreement:
    with scopes_disabled():
        return Agreement.objects.select_related("owner", "partner").get(
            owner__schac=owner, iia_id=iia_id
        )


# --- The official example -------------------------------------------------------------------


def test_the_official_example_becomes_the_copy_of_its_serving_partner(world):
    report = services.iias_import(actor=None, xml_bytes=example_bytes())

    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    copy = copy_of("uw.edu.pl", EXAMPLE_IIA_ID)
    assert copy.iia_hash == EXAMPLE_HASH
    assert copy.iia_code == "983/E+/III14&15"
    assert (copy.partner_hei_id, copy.partner_iia_id, copy.partner_iia_code) == (
        "hibo.no",
        "1954991",
        "2014/E+/PL/4104B",
    )
    assert copy.partner is None
    assert copy.in_effect is True
    assert copy.owner_signer == "Sylwia Nowak"
    assert copy.partner_signer == "Monica Turner"


def test_the_official_example_keeps_its_conditions_in_order(world):
    services.iias_import(actor=None, xml_bytes=example_bytes())

    conditions = list(copy_of("uw.edu.pl", EXAMPLE_IIA_ID).conditions.order_by("position"))
    assert [(c.mobility_type, c.sending_hei_id, c.mobilities_per_year) for c in conditions] == [
        ("student-studies", "uw.edu.pl", 2),
        ("student-traineeship", "uw.edu.pl", 10),
        ("staff-teacher", "uw.edu.pl", 2),
        ("staff-teacher", "hibo.no", 2),
        ("staff-training", "hibo.no", 2),
    ]
    studies = conditions[0]
    assert studies.sending_ounit_id == "140"
    assert studies.total_months_per_year == Decimal("5")
    assert studies.eqf_levels == [7, 8]
    assert [s["language"] for s in studies.language_skills] == ["en", "no"]
    assert studies.subject_areas == [{"isced_f_code": "0314", "isced_clarification": ""}]
    assert conditions[3].total_days_per_year == Decimal("14")


def test_both_institutions_of_the_example_become_known_through_ewp(world):
    report = services.iias_import(actor=None, xml_bytes=example_bytes())

    assert sorted(report.institutions_created) == ["hibo.no", "uw.edu.pl"]
    with scopes_disabled():
        created = {i.schac: i for i in Institution.objects.filter(on_platform=False)}
    assert set(created) == {"hibo.no", "uw.edu.pl"}
    warsaw = created["uw.edu.pl"]
    assert (warsaw.name, warsaw.country.code, warsaw.city, warsaw.timezone) == (
        "uw.edu.pl",
        "PL",
        "",
        "UTC",
    )
    assert created["hibo.no"].country.code == "NO"


def test_an_institution_already_known_is_used_as_it_is(world):
    with scopes_disabled():
        Institution.objects.create(
            schac="uw.edu.pl",
            name="University of Warsaw",
            country="PL",
            city="Warsaw",
            on_platform=False,
        )

    report = services.iias_import(actor=None, xml_bytes=example_bytes())

    assert report.institutions_created == ["hibo.no"]
    assert copy_of("uw.edu.pl", EXAMPLE_IIA_ID).owner.name == "University of Warsaw"


def test_every_imported_agreement_is_audited(world):
    services.iias_import(actor=world.tpu_officer, xml_bytes=example_bytes())

    with scopes_disabled():
        entry = AuditEntry.objects.get(action="mobility.agreement.imported")
    assert entry.actor == world.tpu_officer
    assert entry.institution.schac == "uw.edu.pl"
    assert entry.before is None
    assert entry.after["iia_hash"] == EXAMPLE_HASH
    assert len(entry.after["conditions"]) == 5


def test_the_country_comes_from_a_country_code_domain_only():
    assert services.country_of("uw.edu.pl") == "PL"
    assert services.country_of("ox.ac.uk") == "GB"
    assert services.country_of("example.org") == ""
    assert services.country_of("eui.eu") == ""


# --- Updates and the hash as received -------------------------------------------------------


def test_a_changed_document_updates_the_copy_with_the_hash_of_what_was_received(world):
    services.iias_import(actor=None, xml_bytes=example_bytes())
    changed = example_bytes().replace(
        b"<mobilities-per-year>10</mobilities-per-year>",
        b"<mobilities-per-year>12</mobilities-per-year>",
    )

    report = services.iias_import(actor=None, xml_bytes=changed)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    copy = copy_of("uw.edu.pl", EXAMPLE_IIA_ID)
    assert copy.conditions.get(position=1).mobilities_per_year == 12
    [(_iia_id, received_hash)] = hashes_of_get_response(changed)
    assert copy.iia_hash == received_hash != EXAMPLE_HASH
    # The document still states the old hash: the one computed from what came is kept.
    assert any(EXAMPLE_HASH in w and received_hash in w for w in report.warnings)
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="mobility.agreement.imported").latest("pk")
    assert entry.before["iia_hash"] == EXAMPLE_HASH
    assert entry.after["iia_hash"] == received_hash


def test_fewer_conditions_in_a_new_version_remove_the_rest(world):
    services.iias_import(actor=None, xml_bytes=example_bytes())
    text = example_bytes().decode()
    start = text.index("<staff-training-mobility-spec>")
    end = text.index("</staff-training-mobility-spec>") + len("</staff-training-mobility-spec>")
    shorter = (text[:start] + text[end:]).encode()

    report = services.iias_import(actor=None, xml_bytes=shorter)

    assert report.updated == 1
    assert copy_of("uw.edu.pl", EXAMPLE_IIA_ID).conditions.count() == 4


# --- Refusals: nothing stored ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (NOT_WELL_FORMED, "not well-formed XML"),
        (WRONG_NAMESPACE, "root element is"),
        (MISSING_ELEMENT, "Tag 'in-effect' expected"),
    ],
    ids=["not well-formed", "wrong namespace", "missing required element"],
)
def test_invalid_xml_is_refused_with_the_schema_error_and_nothing_is_stored(world, document, says):
    before = counts()

    with pytest.raises(IiaXmlError) as refused:
        services.iias_import(actor=None, xml_bytes=document)

    assert says in str(refused.value)
    assert all(p.line for p in refused.value.problems)
    assert counts() == before


def test_a_person_may_not_import_copies_of_another_institution_on_the_platform(world):
    kth_serves = example_bytes().replace(b"uw.edu.pl", b"kth.se")
    before = counts()

    with pytest.raises(ServiceError) as refused:
        services.iias_import(actor=world.tpu_officer, xml_bytes=kth_serves)

    assert refused.value.status == 403
    assert "KTH Royal Institute of Technology" in refused.value.message
    assert counts() == before


def test_the_operator_may_import_copies_of_an_institution_on_the_platform(world):
    kth_serves = example_bytes().replace(b"uw.edu.pl", b"kth.se")

    report = services.iias_import(actor=None, xml_bytes=kth_serves)

    assert report.created == 1
    assert copy_of("kth.se", EXAMPLE_IIA_ID).iia_hash == report.items[0].iia_hash


def test_an_institution_s_own_officer_may_import_its_copies(world):
    tpu_serves = example_bytes().replace(b"uw.edu.pl", b"tpu.ru")

    report = services.iias_import(
        actor=world.tpu_officer, xml_bytes=tpu_serves, institution=world.tpu
    )

    assert report.created == 1
    assert copy_of("tpu.ru", EXAMPLE_IIA_ID).owner == world.tpu


def test_an_import_for_an_institution_refuses_agreements_that_do_not_involve_it(world):
    before = counts()

    with pytest.raises(ServiceError) as refused:
        services.iias_import(
            actor=world.tpu_officer, xml_bytes=example_bytes(), institution=world.tpu
        )

    assert refused.value.status == 403
    assert "does not involve tpu.ru" in refused.value.message
    assert counts() == before


def test_a_refusal_half_way_keeps_nothing_of_the_document(world):
    text = example_bytes().decode()
    start, end = text.index("<iia>"), text.index("</iia>") + len("</iia>")
    second = text[start:end].replace("uw.edu.pl", "kth.se")
    both = (text[:end] + second + text[end:]).encode()
    before = counts()

    with pytest.raises(ServiceError):
        services.iias_import(actor=world.tpu_officer, xml_bytes=both)

    assert counts() == before


def test_an_agreement_without_the_serving_partner_s_id_is_refused(world):
    no_id = example_bytes().replace(b"<iia-id>0f7a5682-faf7-49a7-9cc7-ec486c49a281</iia-id>", b"")
    before = counts()

    with pytest.raises(ServiceError, match="gives no iia-id"):
        services.iias_import(actor=None, xml_bytes=no_id)

    assert counts() == before


def test_a_document_larger_than_the_limit_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 1000)

    with pytest.raises(ServiceError) as refused:
        services.iias_import(actor=None, xml_bytes=example_bytes())

    assert refused.value.status == 413


# --- Linking to the partner's copy on the platform ------------------------------------------


def test_an_import_naming_our_copy_links_both_copies(world):
    ours = make_agreement(
        world.tpu,
        "uw.edu.pl",
        world.tpu_officer,
        code="TPU-UW",
        conditions=[student_condition("tpu.ru", "uw.edu.pl")],
    )
    hash_before = ours.iia_hash
    document = example_with_partner("tpu.ru").replace(b"1954991", ours.iia_id.encode())

    report = services.iias_import(
        actor=world.tpu_officer, xml_bytes=document, institution=world.tpu
    )

    assert report.items[0].linked is True
    theirs = copy_of("uw.edu.pl", EXAMPLE_IIA_ID)
    assert theirs.partner == world.tpu
    assert theirs.partner_iia_id == ours.iia_id
    ours.refresh_from_db()
    assert (ours.partner_iia_id, ours.partner_iia_code) == (EXAMPLE_IIA_ID, "983/E+/III14&15")
    assert ours.iia_hash != hash_before  # the partner's iia-id is part of the hash
    with scopes_disabled():
        assert AuditEntry.objects.filter(
            action="mobility.agreement.linked", object_id=str(ours.pk)
        ).exists()


def test_a_copy_linked_elsewhere_is_left_alone_with_a_warning(world):
    ours = make_agreement(world.tpu, "uw.edu.pl", world.tpu_officer, code="TPU-UW")
    with scopes_disabled():
        Agreement.objects.filter(pk=ours.pk).update(partner_iia_id="someone-else")
    document = example_with_partner("tpu.ru").replace(b"1954991", ours.iia_id.encode())

    report = services.iias_import(actor=None, xml_bytes=document)

    assert report.items[0].linked is False
    assert any("already linked" in w for w in report.warnings)
    ours.refresh_from_db()
    assert ours.partner_iia_id == "someone-else"


# --- Export ---------------------------------------------------------------------------------


def test_the_export_is_valid_and_serves_each_copy_with_its_stored_hash(world):
    demo_agreements(world)

    xml = services.iias_export(world.tpu)

    assert validate(xml, "iias-get-response") == []
    with scopes_disabled():
        stored = {a.iia_id: a.iia_hash for a in Agreement.objects.filter(owner=world.tpu)}
    assert dict(hashes_of_get_response(xml)) == stored
    assert len(stored) == 3


def test_the_export_of_an_institution_without_agreements_is_a_valid_empty_response(world):
    xml = services.iias_export(world.usp)

    assert validate(xml, "iias-get-response") == []
    assert hashes_of_get_response(xml) == []


def test_the_export_re_imports_as_unchanged_even_for_its_own_officer(world):
    demo_agreements(world)

    report = services.iias_import(
        actor=world.tpu_officer, xml_bytes=services.iias_export(world.tpu), institution=world.tpu
    )

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_an_imported_copy_exports_with_the_hash_it_was_received_with(world):
    services.iias_import(actor=None, xml_bytes=example_bytes())
    warsaw = Institution.objects.get(schac="uw.edu.pl")

    xml = services.iias_export(warsaw)

    assert validate(xml, "iias-get-response") == []
    assert hashes_of_get_response(xml) == [(EXAMPLE_IIA_ID, EXAMPLE_HASH)]


# --- Hashing --------------------------------------------------------------------------------


def test_the_hash_of_the_official_example_is_reproduced(db):
    report = services.iia_hashes(example_bytes())

    assert [(r.iia_id, r.iia_hash, r.valid_for_approval) for r in report.results] == [
        (EXAMPLE_IIA_ID, EXAMPLE_HASH, True)
    ]
    assert report.schema_problems == []


def test_a_document_invalid_against_the_schema_is_hashed_with_its_problems_named(db):
    report = services.iia_hashes(MISSING_ELEMENT)

    assert len(report.results) == 1
    assert report.schema_problems


def test_a_document_that_is_not_xml_cannot_be_hashed(db):
    with pytest.raises(EwpXmlError, match="not well-formed"):
        services.iia_hashes(NOT_WELL_FORMED)


# --- Imports stay inside the importing institution's relationships --------------------------


def _entries_of(institution) -> list[AuditEntry]:
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(
                institution=institution, action="mobility.agreement.imported"
            ).order_by("created", "id")
        )


def test_an_import_naming_another_partner_never_overwrites_that_partner_s_copy(world):
    # TPU imports its agreement with an institution that is not on the platform...
    services.iias_import(
        actor=world.tpu_officer, xml_bytes=example_with_partner("tpu.ru"), institution=world.tpu
    )
    tpu_copy = copy_of_pair("uw.edu.pl", "tpu.ru")
    tpu_hash, tpu_conditions = tpu_copy.iia_hash, tpu_copy.conditions.count()
    # ...then KTH imports a document with the same iia-id, naming KTH, other conditions.
    text = example_with_partner("kth.se").decode()
    start = text.index("<cooperation-conditions>") + len("<cooperation-conditions>")
    end = text.index("</cooperation-conditions>")
    first_spec_end = text.index("</student-studies-mobility-spec>") + len(
        "</student-studies-mobility-spec>"
    )
    kth_document = (text[:start] + text[start:first_spec_end] + text[end:]).encode()

    report = services.iias_import(
        actor=world.kth_officer, xml_bytes=kth_document, institution=world.kth
    )

    assert (report.created, report.updated) == (1, 0)
    tpu_copy = copy_of_pair("uw.edu.pl", "tpu.ru")
    assert (tpu_copy.iia_hash, tpu_copy.conditions.count()) == (tpu_hash, tpu_conditions)
    kth_copy = copy_of_pair("uw.edu.pl", "kth.se")
    assert kth_copy.pk != tpu_copy.pk and kth_copy.conditions.count() == 1
    # Each institution finds its own import in its own audit log, and only that.
    assert [e.object_id for e in _entries_of(world.tpu)] == [str(tpu_copy.pk)]
    assert [e.object_id for e in _entries_of(world.kth)] == [str(kth_copy.pk)]
    with scopes_disabled():
        assert not _entries_of(Institution.objects.get(schac="uw.edu.pl"))


def test_a_document_cannot_move_an_on_platform_copy_to_another_partner(world):
    tpu_serves = example_bytes().replace(b"uw.edu.pl", b"tpu.ru")
    services.iias_import(actor=world.tpu_officer, xml_bytes=tpu_serves, institution=world.tpu)
    before = counts()

    with pytest.raises(ServiceError) as refused:
        services.iias_import(
            actor=world.tpu_officer,
            xml_bytes=tpu_serves.replace(b"hibo.no", b"usp.br"),
            institution=world.tpu,
        )

    assert refused.value.status == 409
    assert "hibo.no" in refused.value.message
    assert counts() == before
    assert copy_of_pair("tpu.ru", "hibo.no").iia_id == EXAMPLE_IIA_ID


def copy_of_pair(owner: str, partner: str) -> Agreement:
    with scopes_disabled():
        return Agreement.objects.select_related("owner").get(
            owner__schac=owner, partner_hei_id=partner, iia_id=EXAMPLE_IIA_ID
        )


# --- A round trip keeps every field the schema carries --------------------------------------

MIGRATION_EXAMPLE = (
    "raw.githubusercontent.com/erasmus-without-paper/ewp-specs-api-iias/stable-v7"
    "/resources/xsltKit/get-response-v7.xml"
)


def _official(name: str) -> bytes:
    if name == "endpoint-example":
        return example_bytes()
    path = shared_ewp_dir() / MIGRATION_EXAMPLE
    if not path.is_file():
        pytest.skip(f"the official migration example is not mirrored at {path}")
    return path.read_bytes()


def _fields(iia: etree._Element) -> list[tuple[str, list[tuple[str, str]], str | None]]:
    """Every element of ``iia`` in document order: its path, attributes and (leaf) text."""
    rows = []
    for element in iia.iter(etree.Element):
        path = "/".join(
            etree.QName(e).localname for e in reversed([element, *element.iterancestors()])
        )
        leaf = next(element.iterchildren(etree.Element), None) is None
        rows.append((path, sorted(element.attrib.items()), element.text if leaf else None))
    return rows


def _only_iia(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=True)
    [iia] = etree.fromstring(xml, parser).iterchildren(f"{{{IIA_NS}}}iia")
    return iia


@pytest.mark.parametrize(
    ("name", "expected_hash"),
    [("endpoint-example", EXAMPLE_HASH), ("migration-example", MIGRATION_HASH)],
)
def test_an_official_example_imported_and_exported_again_is_the_same_document(
    world, name, expected_hash
):
    received = _official(name)
    services.iias_import(actor=None, xml_bytes=received)

    with scopes_disabled():
        served = services.iias_export(Institution.objects.get(schac="uw.edu.pl"))

    assert hashes_of_get_response(served) == [(EXAMPLE_IIA_ID, expected_hash)]
    assert _fields(_only_iia(served)) == _fields(_only_iia(received))


def test_an_edited_contact_is_served_as_edited(world):
    services.iias_import(actor=None, xml_bytes=example_bytes())
    copy = copy_of("uw.edu.pl", EXAMPLE_IIA_ID)
    copy.contacts[0]["email"] = "new@uw.edu.pl"
    copy.save()

    with scopes_disabled():
        served = services.iias_export(Institution.objects.get(schac="uw.edu.pl"))

    contact = _only_iia(served).find(f"{{{IIA_NS}}}partner/{{{CONTACT_NS}}}contact")
    assert [e.text for e in contact.iterchildren(f"{{{CONTACT_NS}}}email")] == ["new@uw.edu.pl"]


def test_a_mutually_approved_agreement_is_exported_in_effect(world):
    tpu, kth = linked_pair(world)
    with scopes_disabled():
        assert not tpu.in_effect and not kth.in_effect
        before = services.iias_export(world.tpu)
        AgreementApproval.objects.create(
            agreement=tpu, approver_hei_id="kth.se", iia_hash=tpu.iia_hash
        )
        AgreementApproval.objects.create(
            agreement=kth, approver_hei_id="tpu.ru", iia_hash=kth.iia_hash
        )
        after = services.iias_export(world.tpu)

    assert _in_effect_of(before, tpu.iia_id) == "false"
    assert _in_effect_of(after, tpu.iia_id) == "true"


def _in_effect_of(xml: bytes, iia_id: str) -> str:
    root = etree.fromstring(xml)
    for iia in root.iterchildren(f"{{{IIA_NS}}}iia"):
        if iia.findtext(f"{{{IIA_NS}}}partner/{{{IIA_NS}}}iia-id") == iia_id:
            return iia.findtext(f"{{{IIA_NS}}}in-effect")
    raise AssertionError(f"{iia_id} not exported")


# --- Large documents: imported by the task worker -------------------------------------------


def test_a_large_document_is_queued_then_imported_by_the_worker(world, monkeypatch):
    monkeypatch.setattr(ewp_jobs, "BACKGROUND_THRESHOLD", 1)
    monkeypatch.setattr(ewp_jobs, "CHUNK", 1)
    before = counts()

    job = ewp_jobs.iias_import_or_enqueue(
        actor=world.tpu_officer,
        xml_bytes=two_agreements_with("tpu.ru"),
        institution=world.tpu,
        filename="big.xml",
    )

    assert isinstance(job, EwpImportJob)
    assert (job.phase, job.total, job.processed) == ("queued", 2, 0)
    assert counts()[1] == before[1]  # nothing imported in the request

    outcome = ewp_jobs.iias_import_job_run(job_uuid=str(job.uuid), actor_id=world.tpu_officer.pk)

    job.refresh_from_db()
    assert outcome["phase"] == job.phase == "done"
    assert (job.processed, job.created_count, job.updated_count) == (2, 2, 0)
    assert job.institutions_created == ["uw.edu.pl"]
    assert bytes(job.document) == b""
    [(_id, first_hash), _second] = hashes_of_get_response(two_agreements_with("tpu.ru"))
    assert copy_of_pair("uw.edu.pl", "tpu.ru").iia_hash == first_hash
    assert len(_entries_of(world.tpu)) == 2


def test_a_small_document_is_imported_at_once(world):
    report = ewp_jobs.iias_import_or_enqueue(
        actor=world.tpu_officer, xml_bytes=example_with_partner("tpu.ru"), institution=world.tpu
    )

    assert isinstance(report, services.ImportReport) and report.created == 1


def test_a_large_document_that_is_not_valid_is_refused_in_the_request(world, monkeypatch):
    monkeypatch.setattr(ewp_jobs, "BACKGROUND_THRESHOLD", 1)
    broken = two_agreements_with("tpu.ru").replace(
        b"<eqf-level>7</eqf-level>", b"<eqf-level>9</eqf-level>", 1
    )
    before = counts()

    with pytest.raises(EwpXmlError) as refused:
        ewp_jobs.iias_import_or_enqueue(
            actor=world.tpu_officer, xml_bytes=broken, institution=world.tpu
        )

    assert refused.value.problems[0].line
    assert counts() == before
    with scopes_disabled():
        assert not EwpImportJob.objects.exists()


def test_a_queued_document_refused_by_a_check_stores_nothing_and_says_why(world, monkeypatch):
    monkeypatch.setattr(ewp_jobs, "BACKGROUND_THRESHOLD", 1)
    # The second agreement is between two other institutions: refused before any write.
    document = two_agreements_with("tpu.ru")
    at = document.rindex(b"tpu.ru</hei-id>")
    document = document[:at] + b"usp.br" + document[at + 6 :]
    job = ewp_jobs.iias_import_or_enqueue(
        actor=world.tpu_officer, xml_bytes=document, institution=world.tpu
    )
    before = counts()

    ewp_jobs.iias_import_job_run(job_uuid=str(job.uuid), actor_id=world.tpu_officer.pk)

    job.refresh_from_db()
    assert job.phase == "failed"
    assert "does not involve tpu.ru" in job.error
    assert counts()[:3] == before[:3]
