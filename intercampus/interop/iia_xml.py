"""IIAs v7 get responses <-> plain dataclasses (no ORM; the caller maps them to models).

``parse_get_response`` validates a partner's response against the official schema before
reading anything, so the rest of the platform only ever sees well-formed data.
``build_get_response`` writes our own response: partners in the order the specification
requires (ours first), cooperation conditions grouped in schema order, the ``iia-hash``
computed over exactly what is served, and the result validated before it is returned.

Values keep their lexical form where it feeds the hash: numbers are ``Decimal``/``int``
parsed from the text, free texts are kept verbatim (no trimming). Every element and attribute
the schema allows is read and written back: postal addresses inside contacts
(a:street-address, a:mailing-address), which the platform does not use, are kept as the XML
fragments they were received as.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from lxml import etree

from .iia_hash import IiaHashResult, hash_results_of_tree, iia_hash
from .schemas import EwpXmlError, parse_xml, validate_element

IIA_NS = "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd"
CONTACT_NS = "https://github.com/erasmus-without-paper/ewp-specs-types-contact/tree/stable-v1"
PHONE_NS = "https://github.com/erasmus-without-paper/ewp-specs-types-phonenumber/tree/stable-v1"
ADDRESS_NS = "https://github.com/erasmus-without-paper/ewp-specs-types-address/tree/stable-v1"
_ADDRESS_TAGS = (f"{{{ADDRESS_NS}}}street-address", f"{{{ADDRESS_NS}}}mailing-address")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
KIND = "iias-get-response"
_NSMAP = {None: IIA_NS, "c": CONTACT_NS, "p": PHONE_NS}
# The schema requires a hash here; build_get_response overwrites it once the element exists.
_HASH_PLACEHOLDER = "0" * 64


class IiaXmlError(EwpXmlError):
    """An IIA document was refused (invalid input) or could not be built (invalid data)."""


class MobilityType(StrEnum):
    """The four kinds of cooperation condition, in the order the schema requires them."""

    STUDENT_STUDIES = "student-studies"
    STUDENT_TRAINEESHIP = "student-traineeship"
    STAFF_TEACHER = "staff-teacher"
    STAFF_TRAINING = "staff-training"

    @property
    def element_name(self) -> str:
        return f"{self.value}-mobility-spec"

    @property
    def is_student(self) -> bool:
        return self.value.startswith("student-")


_TYPE_BY_ELEMENT = {t.element_name: t for t in MobilityType}
_TYPE_ORDER = {t: i for i, t in enumerate(MobilityType)}


@dataclass
class LangText:
    """A string with an optional ``xml:lang`` (names, role descriptions)."""

    text: str
    lang: str | None = None


@dataclass
class PhoneNumber:
    e164: str | None = None
    ext: str | None = None
    other_format: str | None = None


@dataclass
class Contact:
    """``c:Contact``; its postal addresses kept as serialized XML fragments, in order."""

    names: list[LangText]
    given_names: list[LangText] = field(default_factory=list)
    family_names: list[LangText] = field(default_factory=list)
    gender: int | None = None  # ISO/IEC 5218
    phones: list[PhoneNumber] = field(default_factory=list)
    faxes: list[PhoneNumber] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    role_descriptions: list[LangText] = field(default_factory=list)


@dataclass
class SubjectArea:
    isced_f_code: str  # four digits
    isced_clarification: str | None = None
    v6_value: str | None = None  # the 1-3 digit code an IIA was approved with under v6


@dataclass
class LanguageSkill:
    language: str  # BCP 47
    cefr_level: str | None = None  # A1..C2
    subject_area: SubjectArea | None = None
    not_yet_defined: bool = False


@dataclass
class CooperationCondition:
    """One direction (sending -> receiving) of one mobility type."""

    mobility_type: MobilityType
    sending_hei_id: str
    receiving_hei_id: str
    receiving_first_academic_year_id: str  # "2025/2026", receiving HEI's scheme
    receiving_last_academic_year_id: str
    mobilities_per_year: int
    mobilities_per_year_not_yet_defined: bool = False
    sending_ounit_id: str | None = None
    sending_contacts: list[Contact] = field(default_factory=list)
    receiving_ounit_id: str | None = None
    receiving_contacts: list[Contact] = field(default_factory=list)
    recommended_language_skills: list[LanguageSkill] = field(default_factory=list)
    subject_areas: list[SubjectArea] = field(default_factory=list)
    other_info_terms: str | None = None
    # Student mobility only (blended is required there):
    total_months_per_year: Decimal | None = None
    blended: bool | None = None
    eqf_levels: list[int] = field(default_factory=list)
    # Staff mobility only:
    total_days_per_year: Decimal | None = None


@dataclass
class IiaPartner:
    hei_id: str
    ounit_id: str | None = None
    iia_id: str | None = None
    iia_code: str | None = None
    signing_contact: Contact | None = None
    signing_date: dt.date | None = None
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class Iia:
    """One agreement as one partner serves it; ``partners[0]`` is the serving HEI."""

    partners: list[IiaPartner]
    in_effect: bool
    cooperation_conditions: list[CooperationCondition] = field(default_factory=list)
    terminated_as_a_whole: bool = False
    # As received; build_get_response ignores it and serves the hash of what it writes.
    iia_hash: str | None = None
    pdf_file: str | None = None

    @property
    def iia_id(self) -> str | None:
        """The serving partner's id of this IIA."""
        return self.partners[0].iia_id if self.partners else None


# --- parsing --------------------------------------------------------------------------------


def parse_get_response(xml: bytes | str) -> list[Iia]:
    """Validate an IIAs v7 get response and read its IIAs.

    Raises IiaXmlError naming the problem and its line when the document is not well-formed
    or not valid against the official schema.
    """
    return [_parse_iia(e) for e in _all(_valid_root(xml), "iia")]


def read_get_response(xml: bytes | str) -> list[tuple[Iia, IiaHashResult]]:
    """:func:`parse_get_response`, each IIA with the ``iia-hash`` of its element as received,
    the document parsed once (raises IiaXmlError likewise)."""
    root = _valid_root(xml)
    elements = _all(root, "iia")
    hashes = hash_results_of_tree(root)
    return [(_parse_iia(e), h) for e, h in zip(elements, hashes, strict=True)]


def count_valid_iias(xml: bytes | str) -> int:
    """The number of IIAs of a get response after checking it against the schema (fast:
    libxml2 only, nothing read into Python); raises IiaXmlError like :func:`parse_get_response`."""
    return sum(1 for _ in _valid_root(xml).iterchildren(f"{{{IIA_NS}}}iia"))


def _valid_root(xml: bytes | str) -> etree._Element:
    try:
        root = parse_xml(xml)
    except EwpXmlError as exc:
        raise IiaXmlError(f"IIAs get response refused, {exc.summary}", exc.problems) from None
    problems = validate_element(root, KIND)
    if problems:
        raise IiaXmlError("IIAs get response is not valid against the v7 schema", problems)
    return root


def _parse_iia(el: etree._Element) -> Iia:
    k = _Kids(el)
    conditions_el = k.one("cooperation-conditions")
    return Iia(
        partners=[_parse_partner(p) for p in k.all("partner")],
        in_effect=_bool(k.text("in-effect")),
        cooperation_conditions=[_parse_condition(c) for c in _elements(conditions_el)],
        terminated_as_a_whole=_bool(conditions_el.get("terminated-as-a-whole", "false")),
        iia_hash=k.text("iia-hash"),
        pdf_file=k.text("pdf-file"),
    )


def _parse_partner(el: etree._Element) -> IiaPartner:
    k = _Kids(el)
    signing = k.one("signing-contact")
    signing_date = k.text("signing-date")
    return IiaPartner(
        hei_id=k.text("hei-id"),
        ounit_id=k.text("ounit-id"),
        iia_id=k.text("iia-id"),
        iia_code=k.text("iia-code"),
        signing_contact=_parse_contact(signing) if signing is not None else None,
        # xs:date may carry a time zone, meaningless for a signing day: keep the date only.
        signing_date=dt.date.fromisoformat(signing_date.strip()[:10]) if signing_date else None,
        contacts=[_parse_contact(c) for c in k.all("contact", CONTACT_NS)],
    )


def _parse_condition(el: etree._Element) -> CooperationCondition:
    k = _Kids(el)
    local = etree.QName(el).localname
    mobility_type = _TYPE_BY_ELEMENT[local]
    per_year = k.one("mobilities-per-year")
    student = mobility_type.is_student
    return CooperationCondition(
        mobility_type=mobility_type,
        sending_hei_id=k.text("sending-hei-id"),
        sending_ounit_id=k.text("sending-ounit-id"),
        sending_contacts=[_parse_contact(c) for c in k.all("sending-contact")],
        receiving_hei_id=k.text("receiving-hei-id"),
        receiving_ounit_id=k.text("receiving-ounit-id"),
        receiving_contacts=[_parse_contact(c) for c in k.all("receiving-contact")],
        receiving_first_academic_year_id=k.text("receiving-first-academic-year-id").strip(),
        receiving_last_academic_year_id=k.text("receiving-last-academic-year-id").strip(),
        mobilities_per_year=int(_string(per_year)),
        mobilities_per_year_not_yet_defined=_flag(per_year, "not-yet-defined"),
        recommended_language_skills=[
            _parse_language_skill(s) for s in k.all("recommended-language-skill")
        ],
        subject_areas=[_parse_subject_area(s) for s in k.all("subject-area")],
        other_info_terms=k.text("other-info-terms"),
        total_months_per_year=_decimal(k.text("total-months-per-year")) if student else None,
        blended=_bool(k.text("blended")) if student else None,
        eqf_levels=[int(_string(e)) for e in k.all("eqf-level")],
        total_days_per_year=None if student else _decimal(k.text("total-days-per-year")),
    )


def _parse_language_skill(el: etree._Element) -> LanguageSkill:
    k = _Kids(el)
    subject = k.one("subject-area")
    cefr = k.text("cefr-level")
    return LanguageSkill(
        language=k.text("language").strip(),
        cefr_level=cefr.strip() if cefr is not None else None,
        subject_area=_parse_subject_area(subject) if subject is not None else None,
        not_yet_defined=_flag(el, "not-yet-defined"),
    )


def _parse_subject_area(el: etree._Element) -> SubjectArea:
    k = _Kids(el)
    code = k.one("isced-f-code")
    return SubjectArea(
        isced_f_code=_string(code).strip(),
        isced_clarification=k.text("isced-clarification"),
        v6_value=code.get("v6-value"),
    )


def _parse_contact(el: etree._Element) -> Contact:
    k = _Kids(el)

    def texts(name: str) -> list[LangText]:
        return [LangText(_string(e), e.get(XML_LANG)) for e in k.all(name, CONTACT_NS)]

    gender = k.text("person-gender", CONTACT_NS)
    return Contact(
        names=texts("contact-name"),
        given_names=texts("person-given-names"),
        family_names=texts("person-family-name"),
        gender=int(gender) if gender is not None else None,
        phones=[_parse_phone(p) for p in k.all("phone-number", PHONE_NS)],
        faxes=[_parse_phone(p) for p in k.all("fax-number", PHONE_NS)],
        emails=[_string(e) for e in k.all("email", CONTACT_NS)],
        addresses=[_fragment(a) for a in el.iterchildren(*_ADDRESS_TAGS)],
        role_descriptions=texts("role-description"),
    )


def _parse_phone(el: etree._Element) -> PhoneNumber:
    k = _Kids(el)
    return PhoneNumber(
        e164=k.text("e164", PHONE_NS),
        ext=k.text("ext", PHONE_NS),
        other_format=k.text("other-format", PHONE_NS),
    )


# --- building -------------------------------------------------------------------------------


def build_get_response(iias: list[Iia], *, serving_hei_id: str | None = None) -> bytes:
    """Serialize ``iias`` as a valid IIAs v7 get response (UTF-8 bytes).

    With ``serving_hei_id`` each IIA's partner of that HEI is moved first; without it the
    first partner is taken to be the serving HEI. Raises IiaXmlError when the data cannot make
    a valid response (e.g. no iia-id/iia-code for the serving partner, a student-studies
    condition without a recommended language skill).
    """
    root = etree.Element(f"{{{IIA_NS}}}iias-get-response", nsmap=_NSMAP)
    for iia in iias:
        root.append(build_iia_element(iia, serving_hei_id=serving_hei_id))
    problems = validate_element(root, KIND)
    if problems:
        raise IiaXmlError("the IIAs to serve do not make a valid v7 get response", problems)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_iia_element(iia: Iia, *, serving_hei_id: str | None = None) -> etree._Element:
    """One ``iia`` element, its ``iia-hash`` computed over the element itself."""
    partners = _serving_first(iia, serving_hei_id)
    el = etree.Element(f"{{{IIA_NS}}}iia", nsmap=_NSMAP)
    for partner in partners:
        _build_partner(_sub(el, "partner"), partner)
    _sub(el, "in-effect", _xs_bool(iia.in_effect))
    conditions = _sub(el, "cooperation-conditions")
    if iia.terminated_as_a_whole:
        conditions.set("terminated-as-a-whole", "true")
    # Stable sort: schema order between types, the caller's order (which feeds the hash)
    # within a type.
    for condition in sorted(iia.cooperation_conditions, key=lambda c: _TYPE_ORDER[c.mobility_type]):
        _build_condition(conditions, condition)
    hash_el = _sub(el, "iia-hash", _HASH_PLACEHOLDER)
    _opt(el, "pdf-file", iia.pdf_file)
    hash_el.text = iia_hash(el)
    return el


def _serving_first(iia: Iia, serving_hei_id: str | None) -> list[IiaPartner]:
    partners = list(iia.partners)
    if serving_hei_id is not None:
        ours = [p for p in partners if p.hei_id == serving_hei_id]
        if not ours:
            raise IiaXmlError(f"IIA {iia.iia_id!r}: no partner has hei-id {serving_hei_id!r}", [])
        partners.remove(ours[0])
        partners.insert(0, ours[0])
    if partners and (not partners[0].iia_id or not partners[0].iia_code):
        # Required by the specification text although the schema leaves both optional.
        raise IiaXmlError(
            f"IIA of {partners[0].hei_id!r}: the serving partner needs iia-id and iia-code", []
        )
    return partners


def _build_partner(el: etree._Element, partner: IiaPartner) -> None:
    _sub(el, "hei-id", partner.hei_id)
    _opt(el, "ounit-id", partner.ounit_id)
    _opt(el, "iia-id", partner.iia_id)
    _opt(el, "iia-code", partner.iia_code)
    if partner.signing_contact is not None:
        _build_contact(_sub(el, "signing-contact"), partner.signing_contact)
    if partner.signing_date is not None:
        _sub(el, "signing-date", partner.signing_date.isoformat())
    for contact in partner.contacts:
        _build_contact(_sub(el, "contact", ns=CONTACT_NS), contact)


def _build_condition(parent: etree._Element, c: CooperationCondition) -> None:
    _check_condition(c)
    el = _sub(parent, c.mobility_type.element_name)
    _sub(el, "sending-hei-id", c.sending_hei_id)
    _opt(el, "sending-ounit-id", c.sending_ounit_id)
    for contact in c.sending_contacts:
        _build_contact(_sub(el, "sending-contact"), contact)
    _sub(el, "receiving-hei-id", c.receiving_hei_id)
    _opt(el, "receiving-ounit-id", c.receiving_ounit_id)
    for contact in c.receiving_contacts:
        _build_contact(_sub(el, "receiving-contact"), contact)
    _sub(el, "receiving-first-academic-year-id", c.receiving_first_academic_year_id)
    _sub(el, "receiving-last-academic-year-id", c.receiving_last_academic_year_id)
    per_year = _sub(el, "mobilities-per-year", str(c.mobilities_per_year))
    _set_flag(per_year, "not-yet-defined", c.mobilities_per_year_not_yet_defined)
    for skill in c.recommended_language_skills:
        _build_language_skill(_sub(el, "recommended-language-skill"), skill)
    for area in c.subject_areas:
        _build_subject_area(_sub(el, "subject-area"), area)
    _opt(el, "other-info-terms", c.other_info_terms)
    if c.mobility_type.is_student:
        _opt(el, "total-months-per-year", _decimal_text(c.total_months_per_year))
        _opt(el, "blended", None if c.blended is None else _xs_bool(c.blended))
        for level in c.eqf_levels:
            _sub(el, "eqf-level", str(level))
    else:
        _opt(el, "total-days-per-year", _decimal_text(c.total_days_per_year))


def _check_condition(c: CooperationCondition) -> None:
    """Refuse fields the schema has no place for, rather than dropping them silently."""
    if c.mobility_type.is_student:
        misplaced = ["total_days_per_year"] if c.total_days_per_year is not None else []
    else:
        misplaced = [
            name
            for name, value in (
                ("total_months_per_year", c.total_months_per_year),
                ("blended", c.blended),
                ("eqf_levels", c.eqf_levels or None),
            )
            if value is not None
        ]
    if misplaced:
        fields = ", ".join(misplaced)
        raise IiaXmlError(f"{c.mobility_type.element_name} cannot carry {fields}", [])


def _build_language_skill(el: etree._Element, skill: LanguageSkill) -> None:
    _set_flag(el, "not-yet-defined", skill.not_yet_defined)
    _sub(el, "language", skill.language)
    _opt(el, "cefr-level", skill.cefr_level)
    if skill.subject_area is not None:
        _build_subject_area(_sub(el, "subject-area"), skill.subject_area)


def _build_subject_area(el: etree._Element, area: SubjectArea) -> None:
    code = _sub(el, "isced-f-code", area.isced_f_code)
    if area.v6_value:
        code.set("v6-value", area.v6_value)
    _opt(el, "isced-clarification", area.isced_clarification)


def _build_contact(el: etree._Element, contact: Contact) -> None:
    def texts(name: str, values: list[LangText]) -> None:
        for value in values:
            child = _sub(el, name, value.text, ns=CONTACT_NS)
            if value.lang:
                child.set(XML_LANG, value.lang)

    texts("contact-name", contact.names)
    texts("person-given-names", contact.given_names)
    texts("person-family-name", contact.family_names)
    if contact.gender is not None:
        _sub(el, "person-gender", str(contact.gender), ns=CONTACT_NS)
    for name, phones in (("phone-number", contact.phones), ("fax-number", contact.faxes)):
        for phone in phones:
            _build_phone(_sub(el, name, ns=PHONE_NS), phone)
    for email in contact.emails:
        _sub(el, "email", email, ns=CONTACT_NS)
    for address in contact.addresses:
        el.append(_unfragment(address))
    texts("role-description", contact.role_descriptions)


def _build_phone(el: etree._Element, phone: PhoneNumber) -> None:
    _opt(el, "e164", phone.e164, ns=PHONE_NS)
    _opt(el, "ext", phone.ext, ns=PHONE_NS)
    _opt(el, "other-format", phone.other_format, ns=PHONE_NS)


# --- small helpers --------------------------------------------------------------------------


def _fragment(el: etree._Element) -> str:
    """An element kept as received, namespaces declared on itself (readable on its own)."""
    copy = etree.fromstring(etree.tostring(el, with_tail=False))
    # The copy inherits every namespace in scope; keep only those it uses.
    etree.cleanup_namespaces(copy)
    # Addresses have element-only content: whitespace between elements is layout.
    for element in copy.iter(etree.Element):
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
        if element is not copy and element.tail is not None and not element.tail.strip():
            element.tail = None
    return etree.tostring(copy, encoding="unicode")


def _unfragment(text: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(text.encode("utf-8"), parser=parser)


def _elements(el: etree._Element) -> list[etree._Element]:
    return list(el.iterchildren(etree.Element))


def _all(el: etree._Element, name: str, ns: str = IIA_NS) -> list[etree._Element]:
    return list(el.iterchildren(f"{{{ns}}}{name}"))


def _one(el: etree._Element, name: str, ns: str = IIA_NS) -> etree._Element | None:
    return next(el.iterchildren(f"{{{ns}}}{name}"), None)


def _string(el: etree._Element) -> str:
    # A leaf's text is its string value; only mixed content needs the walk.
    return (el.text or "") if len(el) == 0 else "".join(el.itertext())


class _Kids:
    """An element's children by tag, indexed once: documents of thousands of IIAs look up
    every child of every element, which iterating the children each time made quadratic."""

    __slots__ = ("_by_tag",)

    def __init__(self, el: etree._Element) -> None:
        self._by_tag: dict[str, list[etree._Element]] = {}
        for child in el.iterchildren(etree.Element):
            self._by_tag.setdefault(child.tag, []).append(child)

    def all(self, name: str, ns: str = IIA_NS) -> list[etree._Element]:
        return self._by_tag.get(f"{{{ns}}}{name}", [])

    def one(self, name: str, ns: str = IIA_NS) -> etree._Element | None:
        found = self._by_tag.get(f"{{{ns}}}{name}")
        return found[0] if found else None

    def text(self, name: str, ns: str = IIA_NS) -> str | None:
        child = self.one(name, ns)
        return _string(child) if child is not None else None


def _text(el: etree._Element, name: str, ns: str = IIA_NS) -> str | None:
    child = _one(el, name, ns)
    return _string(child) if child is not None else None


def _bool(value: str | None) -> bool:
    return value is not None and value.strip() in ("true", "1")


def _flag(el: etree._Element | None, attribute: str) -> bool:
    return el is not None and _bool(el.get(attribute))


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value.strip()) if value is not None else None


def _decimal_text(value: Decimal | None) -> str | None:
    # Fixed-point: xs:decimal has no exponent form, which str() could produce.
    return None if value is None else format(value, "f")


def _xs_bool(value: bool) -> str:
    return "true" if value else "false"


def _set_flag(el: etree._Element, attribute: str, value: bool) -> None:
    if value:
        el.set(attribute, "true")


def _sub(
    parent: etree._Element, name: str, text: str | None = None, *, ns: str = IIA_NS
) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = text
    return child


def _opt(parent: etree._Element, name: str, text: str | None, *, ns: str = IIA_NS) -> None:
    if text is not None:
        _sub(parent, name, text, ns=ns)
