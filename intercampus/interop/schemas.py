"""Offline XML Schema validation for the EWP documents the platform exchanges.

The official EWP schemas import each other through absolute ``https://raw.githubusercontent.com/…``
URLs. We never fetch them: a URL is mapped to a local file by stripping its scheme and
looking the rest up in a mirror folder (the layout of ``shared/ewp/``, see its README).
Mirrors are searched in this order:

1. the folder named by ``INTERCAMPUS_EWP_DIR`` when that variable is set (an operator's
   explicit choice wins, e.g. to try a newer release of a schema);
2. the copy vendored in this package (``ewp_schemas/``), so an installed package needs
   nothing outside itself;
3. ``<repository root>/../shared/ewp``, the project's full mirror, for schemas that were not
   vendored.

Untrusted documents are parsed here with a locked-down lxml parser (no network, no DTD, no
entity expansion) and validated with libxml2 (lxml's ``XMLSchema``, in C: a 9 MB document in
a fraction of a second, where ``xmlschema`` in pure Python needs a minute). ``xmlschema`` is
kept to *describe* the problems of small refused documents, because its messages name the
expected elements; a large refused document is described by libxml2's own messages, so that
a refusal costs no more than an acceptance. Problems come back as readable messages carrying
the line number, so they can be logged or shown to an operator as they are.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import xmlschema
from lxml import etree

EWP_DIR_ENV = "INTERCAMPUS_EWP_DIR"
VENDORED_DIR = Path(__file__).resolve().parent / "ewp_schemas"
_REPO_ROOT = Path(__file__).resolve().parents[2]

_RAW = "raw.githubusercontent.com/erasmus-without-paper"
_GH = "https://github.com/erasmus-without-paper"

# Stop after this many schema errors: one broken element can cascade into hundreds.
MAX_PROBLEMS = 20
# Refused documents up to this many elements have their problems described by xmlschema
# (clearer messages, about 1 ms per element); bigger ones by libxml2 (instant).
DETAILED_PROBLEMS_MAX_ELEMENTS = 2_000


@dataclass(frozen=True)
class SchemaKind:
    """One kind of document: where its schema lives in the mirror and its root element."""

    schema_path: str
    root_tag: str
    title: str


KINDS: dict[str, SchemaKind] = {
    "iias-get-response": SchemaKind(
        f"{_RAW}/ewp-specs-api-iias/stable-v7/endpoints/get-response.xsd",
        f"{{{_GH}/ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd}}iias-get-response",
        "IIAs v7 get response",
    ),
    "iias-index-response": SchemaKind(
        f"{_RAW}/ewp-specs-api-iias/stable-v7/endpoints/index-response.xsd",
        f"{{{_GH}/ewp-specs-api-iias/blob/stable-v7/endpoints/index-response.xsd}}"
        "iias-index-response",
        "IIAs v7 index response",
    ),
    "omobilities-get-response": SchemaKind(
        "ewp-registry-service-copies/ewp-specs-api-omobilities-v3.0.0/endpoints/get-response.xsd",
        f"{{{_GH}/ewp-specs-api-omobilities/blob/stable-v3/endpoints/get-response.xsd}}"
        "omobilities-get-response",
        "Outgoing Mobilities v3 get response",
    ),
}


@dataclass(frozen=True)
class XmlProblem:
    """One thing wrong with a document, located as precisely as the validator allows."""

    message: str
    line: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "line ?"
        if self.path:
            where = f"{where}, {self.path}"
        return f"{where}: {self.message}"


class EwpXmlError(ValueError):
    """A document was refused; ``problems`` says why and where."""

    def __init__(self, summary: str, problems: list[XmlProblem]):
        self.summary = summary
        self.problems = problems
        details = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{summary}: {details}{more}" if problems else summary)


# --- locating the mirror --------------------------------------------------------------------


def shared_ewp_dir() -> Path:
    """The project's full EWP mirror: ``$INTERCAMPUS_EWP_DIR`` or ``<repo>/../shared/ewp``."""
    configured = os.environ.get(EWP_DIR_ENV)
    return Path(configured) if configured else _REPO_ROOT.parent / "shared" / "ewp"


def mirror_roots() -> list[Path]:
    """Folders searched for a mirrored file, in priority order (see the module docstring)."""
    roots = []
    if os.environ.get(EWP_DIR_ENV):
        roots.append(shared_ewp_dir())
    roots.append(VENDORED_DIR)
    roots.append(_REPO_ROOT.parent / "shared" / "ewp")
    return roots


def locate(relative_path: str) -> Path:
    """The first mirror file at ``relative_path``; FileNotFoundError names every place tried."""
    tried = []
    for root in mirror_roots():
        candidate = root / relative_path
        if candidate.is_file():
            return candidate
        tried.append(str(candidate))
    raise FileNotFoundError(f"EWP file {relative_path!r} not found; tried: {', '.join(tried)}")


def map_url(url: str) -> str:
    """``uri_mapper`` for xmlschema: an http(s) URL becomes the mirrored local file.

    A URL with no mirrored file is mapped to a path that does not exist, so loading fails
    with a clear error instead of silently reaching for the network.
    """
    if not url.startswith(("http://", "https://")):
        return url
    relative = url.split("://", 1)[1]
    try:
        return str(locate(relative))
    except FileNotFoundError:
        return str(VENDORED_DIR / relative)


@functools.cache
def get_schema(kind: str) -> xmlschema.XMLSchema:
    """The compiled schema for ``kind`` (cached: compiling costs a few hundred ms)."""
    spec = _kind(kind)
    # allow="local": even a mapping mistake must not turn into a network fetch.
    return xmlschema.XMLSchema(str(locate(spec.schema_path)), uri_mapper=map_url, allow="local")


class _MirrorResolver(etree.Resolver):
    """Resolves the schemas' absolute imports to the mirror, like :func:`map_url`."""

    def resolve(self, url: str, pubid: str, context: object) -> object:
        if url and url.startswith(("http://", "https://")):
            return self.resolve_filename(map_url(url), context)
        return None


@functools.cache
def get_lxml_schema(kind: str) -> etree.XMLSchema:
    """The schema for ``kind`` compiled by libxml2 (cached), imports read from the mirror."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_MirrorResolver())
    document = etree.parse(str(locate(_kind(kind).schema_path)), parser)
    return etree.XMLSchema(document)


def _kind(kind: str) -> SchemaKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown document kind {kind!r}; known: {', '.join(KINDS)}") from None


# --- parsing untrusted XML ------------------------------------------------------------------


def parse_xml(xml: bytes | str) -> etree._Element:
    """Parse a partner's document safely and return its root element.

    Raises EwpXmlError (with the line) when the text is not well-formed or carries a DOCTYPE:
    EWP documents never need one, and refusing it rules out entity tricks altogether.
    """
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise EwpXmlError("not well-formed XML", [XmlProblem(exc.msg, line)]) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise EwpXmlError("refused XML", [XmlProblem("a DOCTYPE is not allowed", 1)])
    return root


# --- validation -----------------------------------------------------------------------------


def validate_element(root: etree._Element, kind: str) -> list[XmlProblem]:
    """Problems of an already-parsed document against the schema of ``kind`` ([] = valid)."""
    spec = _kind(kind)
    if root.tag != spec.root_tag:
        message = f"root element is {root.tag!r}, expected {spec.root_tag!r} ({spec.title})"
        return [XmlProblem(message, root.sourceline)]
    schema = get_lxml_schema(kind)
    if schema.validate(root):
        return []
    described = []
    if _element_count(root, DETAILED_PROBLEMS_MAX_ELEMENTS + 1) <= DETAILED_PROBLEMS_MAX_ELEMENTS:
        described = _described_problems(root, spec, kind)
    # libxml2 is the judge; should xmlschema see nothing wrong, libxml2's words are kept.
    return described or [_from_libxml2(e, spec) for e in list(schema.error_log)[:MAX_PROBLEMS]]


def _element_count(root: etree._Element, limit: int) -> int:
    count = 0
    for _ in root.iter(etree.Element):
        count += 1
        if count >= limit:
            break
    return count


def _described_problems(root: etree._Element, spec: SchemaKind, kind: str) -> list[XmlProblem]:
    problems = []
    for error in get_schema(kind).iter_errors(root):
        problems.append(_describe(error, spec))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _from_libxml2(error: etree._LogEntry, spec: SchemaKind) -> XmlProblem:
    return XmlProblem(_without_namespace(error.message, spec), error.line or None, error.path)


def _without_namespace(reason: str, spec: SchemaKind) -> str:
    # Spelling out the document's own namespace in every tag makes messages unreadable.
    namespace = spec.root_tag[1:].split("}", 1)[0]
    return re.sub(r"\{" + re.escape(namespace) + r"\}", "", reason)


def problems(xml: bytes | str, kind: str) -> list[XmlProblem]:
    """Structured problems of a serialized document ([] = valid), syntax errors included."""
    try:
        root = parse_xml(xml)
    except EwpXmlError as exc:
        return exc.problems
    return validate_element(root, kind)


def validate(xml: bytes | str, kind: str) -> list[str]:
    """Readable problems of ``xml`` against ``kind``'s schema, each with its line; [] = valid.

    ``kind`` is one of :data:`KINDS`: "iias-get-response", "iias-index-response",
    "omobilities-get-response".
    """
    return [str(p) for p in problems(xml, kind)]


def _describe(error: xmlschema.XMLSchemaValidationError, spec: SchemaKind) -> XmlProblem:
    # A "wrong child" error is reported on the parent; point at the offending child instead.
    culprit = getattr(error, "invalid_child", None)
    elem = culprit if culprit is not None else error.elem
    line = getattr(elem, "sourceline", None)
    reason = error.reason or error.message
    return XmlProblem(_without_namespace(reason, spec), line, error.path)
