"""The IIAs v7 ``iia-hash``: a Python port of the official XSLT, applied one IIA at a time.

IIAs v7 defines the hash as SHA-256 (lowercase hex) of the ``text-to-hash`` string produced by
``resources/xsltKit/transform_version_7.xsl`` (repository ewp-specs-api-iias, branch
stable-v7). That stylesheet is XSLT 2.0, which lxml cannot run, so this module reproduces it
step by step. Deliberate fidelity points, each mirroring the XSLT:

* elements are matched by local name only, whatever their namespace;
* values are XPath string values, taken verbatim (no whitespace trimming or normalising);
* a leaf is an element without element children; comments and processing instructions are
  ignored everywhere;
* the parts of the string, in order: ``_@terminated-as-a-whole@_`` when the attribute is
  ``true`` or ``1``; ``_iia-id_<n>=<value>_`` for every ``partner`` (empty value when the
  partner has no ``iia-id``); then for every mobility spec, every descendant element except
  those below a ``sending-contact``/``receiving-contact``, the two academic-year elements and
  everything at or below a ``not-yet-defined`` element: first its attributes (except
  ``not-yet-defined`` and ``v6-value``) as ``_@gg.g.p.name=value@_``, then, if it is a leaf,
  ``_g.p.name=value_`` where ``isced-f-code`` uses its ``v6-value`` when non-empty; and at the
  end of each spec ``_receiving-first-academic-year-id=…_`` and
  ``_receiving-last-academic-year-id=…_``;
* ``valid-for-approval`` is false when some element has ``not-yet-defined`` equal to ``true``
  or ``1``, or a non-empty ``v6-value``.

One intended difference: the stylesheet looks for ``terminated-as-a-whole`` and for the
approval markers with document-wide ``//`` paths, so in a multi-IIA response one IIA's flags
leak into every other IIA. Here those searches skip the subtrees of the *other* IIAs, so each
IIA gets exactly what the XSLT gives for a document serving that IIA alone (the recommended
way to hash), and a multi-IIA response needs no splitting.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from .schemas import parse_xml

_CONTACTS = frozenset({"sending-contact", "receiving-contact"})
_FIRST_YEAR = "receiving-first-academic-year-id"
_LAST_YEAR = "receiving-last-academic-year-id"
_EXCLUDED_LEAVES = frozenset({_FIRST_YEAR, _LAST_YEAR})
_TRUE = ("true", "1")  # the XSLT compares the raw attribute text with exactly these


class IiaHashError(ValueError):
    """The input is not something the official XSLT could hash either."""


@dataclass(frozen=True)
class IiaHashResult:
    """What the official XSLT outputs for one ``iia``, plus the SHA-256 of its text."""

    iia_id: str  # the first partner's iia-id, as the XSLT reports it ("" when absent)
    text_to_hash: str
    iia_hash: str
    valid_for_approval: bool


# --- public API -----------------------------------------------------------------------------


def iia_hash(iia: etree._Element | bytes | str) -> str:
    """The 64-hex-digit ``iia-hash`` of one IIA (an ``iia`` element or a one-IIA document)."""
    return hash_result(iia).iia_hash


def valid_for_approval(iia: etree._Element | bytes | str) -> bool:
    """False when the IIA carries a ``not-yet-defined`` or ``v6-value`` migration marker."""
    return hash_result(iia).valid_for_approval


def hash_result(iia: etree._Element | bytes | str) -> IiaHashResult:
    """The XSLT's full output for one IIA: id, text-to-hash, hash and approvability."""
    element = _single_iia(iia)
    scope = list(_document_scope(element))
    return _result(element, terminated=_terminated(scope), blocked=_blocked(scope))


def _result(element: etree._Element, *, terminated: bool, blocked: bool) -> IiaHashResult:
    text = text_to_hash(element, terminated=terminated)
    return IiaHashResult(
        iia_id=_first_partner_iia_id(element),
        text_to_hash=text,
        iia_hash=sha256_hex(text),
        valid_for_approval=not blocked,
    )


def hash_results_of_get_response(xml: bytes | str) -> list[IiaHashResult]:
    """One result per ``iia`` of a get response, in document order, each hashed on its own.

    No schema validation happens here: the hash is defined over the response as received,
    valid or not. Validate with ``iia_xml.parse_get_response`` (or ``schemas.validate``).
    """
    return hash_results_of_tree(parse_xml(xml))


def hash_results_of_tree(root: etree._Element) -> list[IiaHashResult]:
    """:func:`hash_results_of_get_response` of an already-parsed document, in linear time.

    What the XSLT's ``//`` searches see for one IIA is the part of the document outside every
    IIA (scanned once) plus the IIA itself; only IIAs nested in IIAs, which no valid document
    has, need the element-by-element scope of :func:`hash_result`.
    """
    elements = list(_iia_elements(root))
    if any(True for e in elements for _ in e.iterancestors("{*}iia")):
        return [hash_result(element) for element in elements]
    outside = list(_outside_iias(root))
    terminated_outside, blocked_outside = _terminated(outside), _blocked(outside)
    results = []
    for element in elements:
        terminated = _terminated(element.iter("{*}cooperation-conditions"))
        results.append(
            _result(
                element,
                terminated=terminated_outside or terminated,
                blocked=blocked_outside or bool(_MARKED(element)),
            )
        )
    return results


# The elements of a subtree that carry a migration marker (see _blocked), found in C.
_MARKED = etree.XPath(
    "descendant-or-self::*[@not-yet-defined='true' or @not-yet-defined='1' or @v6-value!='']"
)


def _outside_iias(element: etree._Element) -> Iterator[etree._Element]:
    if _local(element) == "iia":
        return
    yield element
    for child in element.iterchildren(etree.Element):
        yield from _outside_iias(child)


def hashes_of_get_response(xml: bytes | str) -> list[tuple[str, str]]:
    """``(iia_id, iia_hash)`` per ``iia`` of a get response (iia_id = first partner's id)."""
    return [(r.iia_id, r.iia_hash) for r in hash_results_of_get_response(xml)]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_to_hash(iia: etree._Element, *, terminated: bool | None = None) -> str:
    """The XSLT's ``text-to-hash`` for one ``iia`` element (``terminated``: whether its
    document scope carries the marker, when the caller knows already)."""
    if terminated is None:
        terminated = _terminated(_document_scope(iia))
    parts = ["_@terminated-as-a-whole@_" if terminated else ""]
    for position, partner in enumerate(_children(iia, "partner"), start=1):
        parts.append(_dump_element(_at_most_one(partner, "iia-id"), f"iia-id_{position}"))
    for conditions in _children(iia, "cooperation-conditions"):
        for spec in _element_children(conditions):
            parts.extend(_dump_mobility_spec(spec))
    return "".join(parts)


# --- the transformation ---------------------------------------------------------------------


def _dump_mobility_spec(spec: etree._Element) -> Iterator[str]:
    # The XSLT tests ancestor::/ancestor-or-self:: axes, which reach above the spec too.
    in_contact = any(_local(a) in _CONTACTS for a in _ancestors_or_self(spec))
    not_yet_defined = any(_is_not_yet_defined(a) for a in _ancestors_or_self(spec))
    parent = spec.getparent()
    names = (_local(parent) if parent is not None else "", _local(spec))
    yield from _dump_descendants(spec, names, in_contact, not_yet_defined)
    yield _dump_element(_at_most_one(spec, _FIRST_YEAR), _FIRST_YEAR)
    yield _dump_element(_at_most_one(spec, _LAST_YEAR), _LAST_YEAR)


def _dump_descendants(
    parent: etree._Element,
    names: tuple[str, str],
    below_contact: bool,
    below_not_yet_defined: bool,
) -> Iterator[str]:
    """Walk ``parent``'s descendants in document order, as ``.//*`` does; ``names`` are the
    local names of ``parent``'s parent and of ``parent`` (for the dotted names)."""
    for element in parent.iterchildren(etree.Element):
        name = _local(element)
        not_yet_defined = below_not_yet_defined or _is_not_yet_defined(element)
        if not below_contact and not not_yet_defined and name not in _EXCLUDED_LEAVES:
            dotted = f"{names[0]}.{names[1]}.{name}"
            if element.attrib:
                yield from _dump_attributes(element, dotted)
            if _is_leaf(element):
                yield _dump_element(element, dotted)
        # Descendants are visited even when this element was skipped: the XSLT's filters are
        # per element, and only the contact/not-yet-defined ones are inherited.
        yield from _dump_descendants(
            element, (names[1], name), below_contact or name in _CONTACTS, not_yet_defined
        )


def _dump_attributes(element: etree._Element, dotted: str) -> Iterator[str]:
    # `@* except @not-yet-defined except @v6-value` drops only the un-namespaced ones.
    for key, value in element.attrib.items():
        if key in ("not-yet-defined", "v6-value"):
            continue
        yield f"_@{dotted}.{key.rpartition('}')[2]}={value}@_"


def _dump_element(element: etree._Element | None, name: str) -> str:
    """``ewp:dumpElement``: an absent element prints as an empty value."""
    if element is None:
        return f"_{name}=_"
    value = _string_value(element)
    if _local(element) == "isced-f-code":
        v6_value = element.get("v6-value", "")
        value = v6_value if v6_value else value
    return f"_{name}={value}_"


def _terminated(scope: Iterable[etree._Element]) -> bool:
    for element in scope:
        if _local(element) != "cooperation-conditions":
            continue
        # `@*[local-name()='terminated-as-a-whole']` matches the attribute in any namespace.
        for key, value in element.attrib.items():
            if etree.QName(key).localname == "terminated-as-a-whole" and value in _TRUE:
                return True
    return False


def _blocked(scope: Iterable[etree._Element]) -> bool:
    """Some element carries a migration marker, so the IIA cannot be approved."""
    return any(
        _is_not_yet_defined(element) or element.get("v6-value", "") != "" for element in scope
    )


def _first_partner_iia_id(iia: etree._Element) -> str:
    partners = _children(iia, "partner")
    if not partners:
        return ""
    # xsl:value-of joins several nodes with a space.
    return " ".join(_string_value(e) for e in _children(partners[0], "iia-id"))


# --- locating IIAs --------------------------------------------------------------------------


def _single_iia(iia: etree._Element | bytes | str) -> etree._Element:
    element = iia if isinstance(iia, etree._Element) else parse_xml(iia)
    if _local(element) == "iia":
        return element
    found = list(_iia_elements(element))
    if len(found) != 1:
        raise IiaHashError(f"expected exactly one iia element, found {len(found)}")
    return found[0]


def _document_scope(iia: etree._Element) -> Iterator[etree._Element]:
    """What the XSLT's ``//`` sees for ``iia``: its whole document minus the other IIAs."""
    return _walk_skipping_other_iias(iia.getroottree().getroot(), iia)


def _walk_skipping_other_iias(
    element: etree._Element, iia: etree._Element
) -> Iterator[etree._Element]:
    if _local(element) == "iia" and element is not iia and not _contains(element, iia):
        return
    yield element
    for child in element.iterchildren(etree.Element):
        yield from _walk_skipping_other_iias(child, iia)


def _contains(ancestor: etree._Element, element: etree._Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _iia_elements(root: etree._Element) -> Iterator[etree._Element]:
    # `//*[local-name()='iia']`: the root itself and every descendant, in document order.
    # "{*}iia" is any namespace or none, matched by lxml in C.
    return root.iter("{*}iia")


# --- small tree helpers (local names only, elements only) ----------------------------------


def _local(element: etree._Element) -> str:
    # The tag is "{namespace}name" or "name"; a document has few distinct tags, so the local
    # name of each is computed once (QName per element dominated large documents).
    # Bounded: the iia-hash tool hashes documents that are not valid, whatever their tags.
    return _local_name(element.tag)


@functools.lru_cache(maxsize=4096)
def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _element_children(element: etree._Element) -> list[etree._Element]:
    return list(element.iterchildren(etree.Element))


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element.iterchildren(etree.Element) if _local(c) == name]


def _at_most_one(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    if len(found) > 1:
        # The XSLT fails here too (local-name() of a sequence of several nodes).
        raise IiaHashError(f"{_local(element)} has {len(found)} {name} elements, expected one")
    return found[0] if found else None


def _descendants_or_self(element: etree._Element) -> Iterator[etree._Element]:
    return element.iter(etree.Element)


def _ancestors_or_self(element: etree._Element) -> Iterator[etree._Element]:
    yield element
    yield from element.iterancestors()


def _is_leaf(element: etree._Element) -> bool:
    return next(element.iterchildren(etree.Element), None) is None


def _is_not_yet_defined(element: etree._Element) -> bool:
    return element.get("not-yet-defined") in _TRUE


def _string_value(element: etree._Element) -> str:
    # itertext() skips comments and processing instructions, like XPath's string value.
    return "".join(element.itertext())
