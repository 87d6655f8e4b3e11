"""The ``intercampus ewp`` command: export-iias, import-iias and iia-hash, each writing files
or printing what it did, and refusing what it must refuse."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Institution
from intercampus.interop.schemas import validate
from intercampus.mobility.models import Agreement, CooperationCondition
from intercampus.mobility.tests.ewp_fixtures import (
    EXAMPLE,
    EXAMPLE_HASH,
    EXAMPLE_IIA_ID,
    demo_agreements,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ewp", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows() -> tuple[int, int, int, int]:
    with scopes_disabled():
        return (
            Institution.objects.count(),
            Agreement.objects.count(),
            CooperationCondition.objects.count(),
            AuditEntry.objects.count(),
        )


def test_iia_hash_prints_the_official_example_s_id_and_hash(db):
    out, _err = run("iia-hash", str(EXAMPLE))

    assert out == f"{EXAMPLE_IIA_ID} {EXAMPLE_HASH}\n"


def test_import_iias_stores_the_official_example_with_its_hash(world):
    out, _err = run("import-iias", str(EXAMPLE))

    assert "1 agreement read: 1 created, 0 updated, 0 unchanged." in out
    assert f"created   uw.edu.pl {EXAMPLE_IIA_ID} {EXAMPLE_HASH}" in out
    with scopes_disabled():
        copy = Agreement.objects.get(owner__schac="uw.edu.pl", iia_id=EXAMPLE_IIA_ID)
    assert copy.iia_hash == EXAMPLE_HASH


def test_export_iias_writes_a_valid_document_to_the_file(world, tmp_path):
    demo_agreements(world)
    target = tmp_path / "kth.xml"

    _out, err = run("export-iias", "--institution", "kth.se", "--out", str(target))

    assert validate(target.read_bytes(), "iias-get-response") == []
    assert "Wrote 2 agreements of kth.se to" in err


def test_export_iias_to_stdout_prints_the_document(world):
    demo_agreements(world)

    out, _err = run("export-iias", "--institution", "tpu.ru", "--out", "-")

    assert out.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert validate(out.encode(), "iias-get-response") == []


def test_export_iias_of_an_unknown_institution_is_an_error(world, tmp_path):
    with pytest.raises(CommandError, match="No institution with SCHAC code nowhere.example"):
        run("export-iias", "--institution", "nowhere.example", "--out", str(tmp_path / "x.xml"))


def test_export_then_import_iias_changes_no_agreement(world, tmp_path):
    demo_agreements(world)
    target = tmp_path / "tpu.xml"
    run("export-iias", "--institution", "tpu.ru", "--out", str(target))
    with scopes_disabled():
        before = [(a.pk, a.iia_hash, a.updated) for a in Agreement.objects.order_by("pk")]
    _institutions, agreements, conditions, _audits = rows()

    out, _err = run("import-iias", str(target))

    assert "3 agreements read: 0 created, 0 updated, 3 unchanged." in out
    # The partner elsewhere (hibo.no) is now known through EWP; no agreement changed.
    assert "New institution known through EWP: hibo.no" in out
    with scopes_disabled():
        after = [(a.pk, a.iia_hash, a.updated) for a in Agreement.objects.order_by("pk")]
        assert not AuditEntry.objects.filter(action="mobility.agreement.imported").exists()
    assert after == before
    assert rows()[1:3] == (agreements, conditions)


def test_importing_the_same_document_twice_changes_nothing_the_second_time(world):
    run("import-iias", str(EXAMPLE))
    before = rows()

    out, _err = run("import-iias", str(EXAMPLE))

    assert "1 agreement read: 0 created, 0 updated, 1 unchanged." in out
    assert rows() == before


def test_export_then_iia_hash_prints_each_stored_hash(world, tmp_path):
    demo_agreements(world)
    target = tmp_path / "tpu.xml"
    run("export-iias", "--institution", "tpu.ru", "--out", str(target))

    out, _err = run("iia-hash", str(target))

    with scopes_disabled():
        stored = {a.iia_id: a.iia_hash for a in Agreement.objects.filter(owner=world.tpu)}
    printed = dict(line.split(" ") for line in out.splitlines())
    assert printed == stored


def test_import_iias_refuses_invalid_xml_with_the_schema_error_and_stores_nothing(world, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(
        EXAMPLE.read_text().replace("<in-effect>true</in-effect>", ""), encoding="utf-8"
    )
    before = rows()

    with pytest.raises(CommandError) as refused:
        run("import-iias", str(broken))

    assert "not valid against the v7 schema" in str(refused.value)
    assert "line 1" in str(refused.value) or "line " in str(refused.value)
    assert "in-effect" in str(refused.value)
    assert rows() == before


def test_iia_hash_refuses_a_file_that_is_not_xml(tmp_path, db):
    junk = tmp_path / "junk.xml"
    junk.write_text("<iias-get-response><iia>", encoding="utf-8")

    with pytest.raises(CommandError, match="not well-formed XML"):
        run("iia-hash", str(junk))


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import-iias", str(tmp_path / "absent.xml"))


def test_the_subcommand_is_required(db):
    with pytest.raises(CommandError):
        call_command("ewp")


def test_the_example_file_is_where_the_tests_expect_it():
    assert Path(EXAMPLE).is_file()


# --- export-omobilities ---------------------------------------------------------------------


def test_export_omobilities_writes_a_valid_outgoing_mobilities_document(world, tmp_path):
    from intercampus.mobility.services import nominations as nomination_services
    from intercampus.mobility.tests import test_nominations_factories as f

    _call, _place, application = f.kth_placed(world)
    nomination = nomination_services.nomination_create(
        actor=world.kth_officer, application=application
    )
    target = tmp_path / "omobilities.xml"

    _out, err = run("export-omobilities", "--institution", "kth.se", "--out", str(target))

    document = target.read_bytes()
    assert validate(document, "omobilities-get-response") == []
    assert nomination.omobility_id.encode() in document
    assert "Wrote 1 mobility of kth.se" in err


def test_export_omobilities_of_an_unknown_institution_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No institution with SCHAC code nowhere.example"):
        run("export-omobilities", "--institution", "nowhere.example", "--out", str(tmp_path / "x"))
