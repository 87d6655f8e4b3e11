"""``intercampus ewp``: agreements as Erasmus Without Paper IIAs v7 documents.

* ``intercampus ewp export-iias --institution <schac> --out FILE`` writes the institution's
  agreements as an IIAs v7 get response, valid against the official schema;
* ``intercampus ewp import-iias FILE`` stores a get response's agreements as their serving
  partners' copies, or refuses the document (schema errors with their lines) storing nothing;
* ``intercampus ewp iia-hash FILE`` prints ``<iia-id> <iia-hash>`` for each ``iia``;
* ``intercampus ewp export-omobilities --institution <schac> --out FILE`` writes the
  institution's nominations as an Outgoing Mobilities v3 get response, valid against the
  official schema (nominations that lack required data are left out and named).

FILE may be ``-`` for standard input or output. The command is the operator's: it may import
copies of any institution (see ``mobility.services.ewp``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intercampus.core.services import ServiceError
from intercampus.institutions.models import Institution
from intercampus.interop.schemas import EwpXmlError
from intercampus.mobility.ewp_omobilities import OMobilityXmlError
from intercampus.mobility.services import ewp as services


def _problems_text(error: EwpXmlError) -> str:
    lines = [error.summary, *(f"  {p}" for p in error.problems)]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Erasmus Without Paper: export an institution's agreements as an IIAs v7 get response, "
        "import such a document, or print the iia-hash of each agreement in one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            metavar="{export-iias,import-iias,iia-hash,export-omobilities}",
            required=True,
        )
        export = actions.add_parser(
            "export-iias",
            help="Write an institution's agreements as an IIAs v7 get response.",
            description="Write the institution's own copies of its agreements as an IIAs v7 "
            "get response, validated against the official schema.",
        )
        export.add_argument("--institution", required=True, metavar="SCHAC", help="e.g. kth.se")
        export.add_argument(
            "--out", required=True, metavar="FILE", help="The file to write; - for stdout."
        )
        imported = actions.add_parser(
            "import-iias",
            help="Import an IIAs v7 get response (refused if not valid against the schema).",
            description="Store each iia of an IIAs v7 get response as the copy of its serving "
            "partner (the first partner). Nothing is stored when the document is refused.",
        )
        imported.add_argument("file", metavar="FILE", help="The document; - for stdin.")
        hashed = actions.add_parser(
            "iia-hash",
            help="Print the iia-id and iia-hash of each iia of an IIAs v7 get response.",
            description="Print one line per iia: its iia-id and its iia-hash as IIAs v7 "
            "defines it, followed by 'not-valid-for-approval' when it carries migration "
            "markers.",
        )
        hashed.add_argument("file", metavar="FILE", help="The document; - for stdin.")
        omobilities = actions.add_parser(
            "export-omobilities",
            help="Write an institution's nominations as an Outgoing Mobilities v3 get response.",
            description="Write the institution's nominations (it is the sending institution) "
            "as an Outgoing Mobilities v3 get response, validated against the official "
            "schema. Nominations that lack required data are left out and listed.",
        )
        omobilities.add_argument(
            "--institution", required=True, metavar="SCHAC", help="e.g. kth.se"
        )
        omobilities.add_argument(
            "--out", required=True, metavar="FILE", help="The file to write; - for stdout."
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "export-iias":
            self._export(options["institution"], options["out"])
        elif action == "import-iias":
            self._import(options["file"])
        elif action == "export-omobilities":
            self._export_omobilities(options["institution"], options["out"])
        else:
            self._hash(options["file"])

    # --- export-iias ----------------------------------------------------------------------

    def _institution(self, schac: str) -> Institution:
        institution = Institution.objects.filter(schac=schac.strip().lower()).first()
        if institution is None:
            raise CommandError(_("No institution with SCHAC code {schac}.").format(schac=schac))
        return institution

    def _write(self, out: str, xml: bytes) -> None:
        if out == "-":
            self.stdout.write(xml.decode("utf-8"), ending="")
            return
        try:
            Path(out).write_bytes(xml)
        except OSError as error:
            raise CommandError(str(error)) from None

    def _export(self, schac: str, out: str) -> None:
        institution = self._institution(schac)
        try:
            xml = services.iias_export(institution)
        except EwpXmlError as error:
            raise CommandError(_problems_text(error)) from None
        count = xml.count(b"<iia>")
        self._write(out, xml)
        if out == "-":
            return
        self.stderr.write(
            ngettext(
                "Wrote {count} agreement of {schac} to {out}.",
                "Wrote {count} agreements of {schac} to {out}.",
                count,
            ).format(count=count, schac=institution.schac, out=out)
        )

    # --- export-omobilities ----------------------------------------------------------------

    def _export_omobilities(self, schac: str, out: str) -> None:
        institution = self._institution(schac)
        try:
            export = services.omobilities_export(institution)
        except OMobilityXmlError as error:
            raise CommandError(str(error)) from None
        self._write(out, export.xml)
        for omobility_id, gaps in export.left_out:
            self.stderr.write(
                _("Left out {id}: it lacks {gaps}.").format(id=omobility_id, gaps=", ".join(gaps))
            )
        if out != "-":
            self.stderr.write(
                ngettext(
                    "Wrote {count} mobility of {schac} to {out}.",
                    "Wrote {count} mobilities of {schac} to {out}.",
                    export.count,
                ).format(count=export.count, schac=institution.schac, out=out)
            )

    # --- import-iias ----------------------------------------------------------------------

    def _import(self, path: str) -> None:
        data = self._read(path)
        try:
            report = services.iias_import(actor=None, xml_bytes=data)
        except EwpXmlError as error:
            raise CommandError(_problems_text(error)) from None
        except ServiceError as error:
            raise CommandError(error.message) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for schac in report.institutions_created:
            self.stdout.write(_("New institution known through EWP: {schac}").format(schac=schac))
        for item in report.items:
            self.stdout.write(
                f"{item.outcome:9} {item.owner} {item.iia_id} {item.iia_hash}"
                + (" linked" if item.linked else "")
            )
        for warning in report.warnings:
            self.stderr.write(warning)
        self.stdout.write(self.style.SUCCESS(report.summary()))

    # --- iia-hash -------------------------------------------------------------------------

    def _hash(self, path: str) -> None:
        data = self._read(path)
        try:
            report = services.iia_hashes(data)
        except (EwpXmlError, ServiceError) as error:
            text = _problems_text(error) if isinstance(error, EwpXmlError) else error.message
            raise CommandError(text) from None
        if report.schema_problems:
            self.stderr.write(_("Warning: the document is not valid against the IIAs v7 schema:"))
            for problem in report.schema_problems:
                self.stderr.write(f"  {problem}")
        for result in report.results:
            line = f"{result.iia_id} {result.iia_hash}"
            if not result.valid_for_approval:
                line += " not-valid-for-approval"
            self.stdout.write(line)

    def _read(self, path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read(services.MAX_DOCUMENT_BYTES + 1)
        try:
            return Path(path).read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from None
