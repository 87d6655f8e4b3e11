"""Benchmark of the EWP IIAs import (issue 7, defect 18).

Generates IIAs v7 get responses of 100, 1,000 and 4,052 agreements (the last about 9 MB, like
the document of the report: under the 10 MB limit) served by a partner that is not on the
platform and naming one member, plus an invalid 4,052-agreement document (one value out of
range near its end). For each it times:

* validate: the schema check alone (``schemas.problems``);
* read: what an import does before its first write: parse, validate, hash every ``iia``,
  read it into dataclasses (``iia_xml.read_get_response``) and check the whole document
  (``services.check_document``);
* import: the complete synchronous import into a fresh SQLite database (``iias_import``);
  documents above ``services.BACKGROUND_THRESHOLD`` agreements are imported by the task
  worker instead, so this time is spent off the HTTP path (the page follows the job).

Target: a 9 MB document refused or read in at most 5 s (the HTTP path does no more than
that); the import itself is reported for information. Each figure is wall time, with the
process's CPU time in brackets: on a shared machine the wall time mostly measures the wait for
a CPU, the CPU time what the work costs.

Run: ``.venv/bin/python benchmarks/ewp_import.py [--quick]``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 5.0
SERVING = "partner.example.org"
MEMBER = "bench.example.org"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 agreements only")
    quick = parser.parse_args().quick
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(f"sqlite:///{tmp}/bench.sqlite3")
        member = prepare()
        sizes = (100, 1_000) if quick else (100, 1_000, 4_052)
        print(f"EWP IIAs import; target: a 9 MB document read or refused in <= {TARGET_S} s")
        print(f"{'document':>26} {'MB':>6} {'validate':>15} {'read':>15} {'import':>17}")
        for count in sizes:
            run(f"{count} agreements", document(count, prefix=f"n{count}"), member)
        bad = document(sizes[-1], prefix="bad", invalid=True)
        run(f"{sizes[-1]} agreements, invalid", bad, member)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercampus.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def prepare():
    from intercampus.institutions.models import Institution

    return Institution.objects.create(
        schac=MEMBER, name="Benchmark University", country="FI", city="Espoo"
    )


def document(count: int, *, prefix: str, invalid: bool = False) -> bytes:
    """A get response of ``count`` agreements of about 2.2 KB each, as partners serve them."""
    from intercampus.interop import iia_xml as X

    contact = X.Contact(
        names=[X.LangText("Anna Svensson")], emails=["anna.svensson@partner.example.org"]
    )
    iias = []
    for number in range(count):
        conditions = [
            X.CooperationCondition(
                mobility_type=mobility_type,
                sending_hei_id=sending,
                receiving_hei_id=receiving,
                receiving_first_academic_year_id="2026/2027",
                receiving_last_academic_year_id="2029/2030",
                mobilities_per_year=2 + number % 5,
                recommended_language_skills=[X.LanguageSkill("en", "B2")],
                subject_areas=[X.SubjectArea("0613", "Software and applications development")],
                total_months_per_year=Decimal("10") if mobility_type.is_student else None,
                blended=False if mobility_type.is_student else None,
                eqf_levels=[6, 7] if mobility_type.is_student else [],
                total_days_per_year=None if mobility_type.is_student else Decimal("5"),
            )
            for mobility_type, sending, receiving in (
                (X.MobilityType.STUDENT_STUDIES, SERVING, MEMBER),
                (X.MobilityType.STAFF_TEACHER, MEMBER, SERVING),
            )
        ]
        iias.append(
            X.Iia(
                partners=[
                    X.IiaPartner(
                        hei_id=SERVING,
                        iia_id=f"{prefix}-{number:06d}",
                        iia_code=f"PX/{number}",
                        signing_contact=contact,
                        signing_date=dt.date(2026, 1, 15),
                    ),
                    X.IiaPartner(hei_id=MEMBER),
                ],
                in_effect=True,
                cooperation_conditions=conditions,
            )
        )
    xml = X.build_get_response(iias)
    if invalid:
        # One EQF level out of range in the last agreement: refused only at the very end.
        at = xml.rindex(b"<eqf-level>7</eqf-level>")
        xml = xml[:at] + b"<eqf-level>9</eqf-level>" + xml[at + 24 :]
    return xml


def run(label: str, xml: bytes, member) -> None:
    from django_scopes import scopes_disabled

    from intercampus.interop import iia_xml, schemas
    from intercampus.mobility.services import ewp as services

    clock = Clock()
    problems = schemas.problems(xml, iia_xml.KIND)
    validate = clock.lap()
    try:
        items = iia_xml.read_get_response(xml)
        with scopes_disabled():
            services.check_document(None, items, member)
    except iia_xml.IiaXmlError:
        print(f"{label:>26} {len(xml) / 1e6:6.2f} {validate} {clock.lap()} {'refused':>17}")
        print(f"{'':>26} {len(problems)} problem(s), first: {problems[0]}")
        return
    read = clock.lap()
    report = services.iias_import(actor=None, xml_bytes=xml, institution=member)
    imported = clock.lap()
    assert report.created == len(items), report.summary()
    print(f"{label:>26} {len(xml) / 1e6:6.2f} {validate} {read} {imported}")


class Clock:
    """Wall and CPU time since the last lap, printed as "  1.23s (0.45s)"."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> str:
        wall, cpu = time.perf_counter(), time.process_time()
        text = f"{wall - self.wall:6.2f}s ({cpu - self.cpu:5.2f}s)"
        self.wall, self.cpu = wall, cpu
        return text


if __name__ == "__main__":
    main()
