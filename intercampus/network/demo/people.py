"""Generated people of the demo: names typical of each country, the same on every run.

Names come from Faker with the institution's locale, seeded from the SCHAC code (not Python's
``hash``, which changes between processes). A person is identified by institution and
position, never by name, so a Faker upgrade that changes names renames people in place instead
of adding new ones.

Names are written in the Latin script, as the consortium publishes them in its working
language, English: Russian names are transliterated, Chinese names romanised.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

from intercampus.network.demo.institutions import InstitutionData


@dataclass(frozen=True)
class Slot:
    """A position that every demo institution fills with one person."""

    key: str
    position: str


# Order matters: names are drawn in this order from each institution's seeded generator.
SLOTS: tuple[Slot, ...] = (
    Slot("vice_rector", "Vice-Rector for International Affairs"),
    Slot("head_io", "Head of the International Relations Office"),
    Slot("iro", "International Relations Officer"),
    Slot("mobility", "Exchange Coordinator"),
    Slot("communication", "Communication Officer"),
)
# Who sits in each kind of group for an institution.
REPRESENTATIVE_SLOT = {
    "associate-partners": "head_io",
    "mobility": "mobility",
    "strategy": "vice_rector",
    "communication": "communication",
}
# The KU Leuven person behind the secretariat persona.
SECRETARY_GENERAL = Slot("secretary_general", "Secretary General of CLUSTER")


@dataclass(frozen=True)
class GeneratedPerson:
    given_name: str
    family_name: str
    email: str
    position: str


# A simple, readable romanisation of Russian (close to BGN/PCGN, without diacritics).
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            *("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o"),
            *("p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e"),
            *("yu", "ya"),
        ],
        strict=True,
    )
)


def transliterate_russian(text: str) -> str:
    out = []
    for char in text:
        latin = _CYRILLIC.get(char.lower())
        if latin is None:
            out.append(char)
        else:
            out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


_FOLD = {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i"}


def email_local_part(given: str, family: str) -> str:
    """``given.family`` in lower-case ASCII: accents dropped, spaces and apostrophes removed."""
    text = f"{given}.{family}".lower()
    text = "".join(_FOLD.get(c, c) for c in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[\s']+", "", text)
    return re.sub(r"[^a-z0-9.-]", "", text)


def email_domain(schac: str) -> str:
    """A demo address at the institution, e.g. kth.demo, never its real domain: mail that a
    misconfigured demo sends must not reach real people."""
    return schac.split(".")[0] + ".demo"


def seed_for(key: str) -> int:
    """A seed that is the same in every process (unlike ``hash``)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _faker(locale: str, seed: int) -> Faker:
    # Only the person provider: loading all of them costs a tenth of a second per locale.
    fake = Faker(locale, providers=["faker.providers.person"])
    fake.seed_instance(seed)
    return fake


def _name(fake: Faker, locale: str, female: bool) -> tuple[str, str]:
    if locale == "zh_CN":
        # Romanised names are not gendered in Faker's zh_CN provider.
        return fake.first_romanized_name(), fake.last_romanized_name()
    if female:
        given, family = fake.first_name_female(), fake.last_name_female()
    else:
        given, family = fake.first_name_male(), fake.last_name_male()
    if locale == "ru_RU":
        return transliterate_russian(given), transliterate_russian(family)
    return given, family


def people_of(
    institution: InstitutionData, *, extra: tuple[Slot, ...] = ()
) -> dict[str, GeneratedPerson]:
    """The institution's people, one per slot (then ``extra``), keyed by slot."""
    fake = _faker(institution.locale, seed_for(institution.schac))
    people: dict[str, GeneratedPerson] = {}
    for slot in (*SLOTS, *extra):
        female = fake.random.random() < 0.5
        given, family = _name(fake, institution.locale, female)
        people[slot.key] = GeneratedPerson(
            given_name=given,
            family_name=family,
            email=f"{email_local_part(given, family)}@{email_domain(institution.schac)}",
            position=slot.position,
        )
    return people


def name_for(locale: str, key: str) -> tuple[str, str]:
    """A given and family name typical of ``locale``, always the same for ``key``."""
    fake = _faker(locale, seed_for(key))
    return _name(fake, locale, female=fake.random.random() < 0.5)
