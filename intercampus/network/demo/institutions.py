"""The demo institutions: public facts about CLUSTER's members and associate partners.

Names, SCHAC codes (the web domain), Erasmus codes, cities, time zones, languages of
instruction and founding years are public. ``size`` is a rough weight for splitting the
consortium's headcounts: about how many thousand students each institution has in engineering
and technology (CLUSTER counts its engineering schools, not every faculty of a full university).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FACULTY = "faculty"
DEPARTMENT = "department"
OFFICE = "office"
INSTITUTE = "institute"


@dataclass(frozen=True)
class Unit:
    """An organisational unit, with the units under it."""

    name: str
    kind: str = FACULTY
    code: str = ""
    children: tuple[Unit, ...] = ()


@dataclass(frozen=True)
class InstitutionData:
    """One institution of the demo, with what the loader needs to generate its people."""

    schac: str
    name: str
    country: str
    city: str
    timezone: str
    languages: tuple[str, ...]
    website: str
    # Faker locale for names typical of the country.
    locale: str
    size: float
    description: str
    short_name: str = ""
    erasmus_code: str = ""
    units: tuple[Unit, ...] = field(default_factory=tuple)


def _dept(name: str, code: str = "") -> Unit:
    return Unit(name=name, kind=DEPARTMENT, code=code)


INTERNATIONAL_OFFICE = "International Relations Office"

MEMBERS: tuple[InstitutionData, ...] = (
    InstitutionData(
        schac="kth.se",
        name="KTH Royal Institute of Technology",
        short_name="KTH",
        erasmus_code="S  STOCKHO04",
        country="SE",
        city="Stockholm",
        timezone="Europe/Stockholm",
        languages=("sv", "en"),
        website="https://www.kth.se",
        locale="sv_SE",
        size=13,
        description="Sweden's largest technical university, founded in 1827.",
        units=(
            Unit("School of Architecture and the Built Environment", code="ABE"),
            Unit(
                "School of Electrical Engineering and Computer Science",
                code="EECS",
                children=(_dept("Department of Computer Science"),),
            ),
            Unit(
                "School of Engineering Sciences",
                code="SCI",
                children=(_dept("Department of Mathematics"), _dept("Department of Physics")),
            ),
            Unit(
                "School of Engineering Sciences in Chemistry, Biotechnology and Health",
                code="CBH",
            ),
            Unit("School of Industrial Engineering and Management", code="ITM"),
        ),
    ),
    InstitutionData(
        schac="polito.it",
        name="Politecnico di Torino",
        short_name="Polito",
        erasmus_code="I  TORINO02",
        country="IT",
        city="Turin",
        timezone="Europe/Rome",
        languages=("it", "en"),
        website="https://www.polito.it",
        locale="it_IT",
        size=37,
        description="Italy's oldest technical university, founded in 1859.",
        units=(
            Unit("Department of Energy", code="DENERG"),
            Unit("Department of Mechanical and Aerospace Engineering", code="DIMEAS"),
            Unit("Department of Electronics and Telecommunications", code="DET"),
            Unit("Department of Control and Computer Engineering", code="DAUIN"),
            Unit("Department of Architecture and Design", code="DAD"),
        ),
    ),
    InstitutionData(
        schac="kuleuven.be",
        name="KU Leuven",
        erasmus_code="B  LEUVEN01",
        country="BE",
        city="Leuven",
        timezone="Europe/Brussels",
        languages=("nl", "en"),
        website="https://www.kuleuven.be",
        locale="nl_BE",
        size=10,
        description="Belgium's largest university, founded in 1425; hosts the CLUSTER secretariat.",
        units=(
            Unit(
                "Faculty of Engineering Science",
                code="IW",
                children=(
                    _dept("Department of Computer Science"),
                    _dept("Department of Electrical Engineering", code="ESAT"),
                    _dept("Department of Mechanical Engineering"),
                ),
            ),
            Unit("Faculty of Engineering Technology"),
            Unit("Faculty of Science"),
            Unit("Faculty of Bioscience Engineering"),
            Unit("Faculty of Architecture"),
        ),
    ),
    InstitutionData(
        schac="kit.edu",
        name="Karlsruhe Institute of Technology",
        short_name="KIT",
        erasmus_code="D  KARLSRU01",
        country="DE",
        city="Karlsruhe",
        timezone="Europe/Berlin",
        languages=("de", "en"),
        website="https://www.kit.edu",
        locale="de_DE",
        size=22,
        description=(
            "Formed in 2009 from the University of Karlsruhe (1825) and the Karlsruhe "
            "research centre."
        ),
        units=(
            Unit("KIT Department of Mechanical Engineering"),
            Unit("KIT Department of Electrical Engineering and Information Technology"),
            Unit("KIT Department of Informatics"),
            Unit("KIT Department of Civil Engineering, Geo and Environmental Sciences"),
            Unit("KIT Department of Chemical and Process Engineering"),
        ),
    ),
    InstitutionData(
        schac="grenoble-inp.fr",
        name="Grenoble INP",
        erasmus_code="F  GRENOBL22",
        country="FR",
        city="Grenoble",
        timezone="Europe/Paris",
        languages=("fr", "en"),
        website="https://www.grenoble-inp.fr",
        locale="fr_FR",
        size=9,
        description=(
            "The engineering and management institute of Université Grenoble Alpes, "
            "founded in 1900."
        ),
        units=(
            Unit("Grenoble INP - Ensimag", code="Ensimag"),
            Unit("Grenoble INP - Phelma", code="Phelma"),
            Unit("Grenoble INP - Ense3", code="Ense3"),
            Unit("Grenoble INP - Génie industriel", code="GI"),
        ),
    ),
    InstitutionData(
        schac="tecnico.ulisboa.pt",
        name="Instituto Superior Técnico, Universidade de Lisboa",
        short_name="Técnico",
        erasmus_code="P  LISBOA109",
        country="PT",
        city="Lisbon",
        timezone="Europe/Lisbon",
        languages=("pt-PT", "en"),
        website="https://tecnico.ulisboa.pt",
        locale="pt_PT",
        size=12,
        description="Portugal's largest school of engineering, science and technology, since 1911.",
        units=(
            Unit("Department of Civil Engineering, Architecture and Environment", code="DECivil"),
            Unit("Department of Electrical and Computer Engineering", code="DEEC"),
            Unit("Department of Mechanical Engineering", code="DEM"),
            Unit("Department of Computer Science and Engineering", code="DEI"),
            Unit("Department of Physics", code="DF"),
        ),
    ),
    InstitutionData(
        schac="tcd.ie",
        name="Trinity College Dublin",
        short_name="Trinity",
        erasmus_code="IRLDUBLIN01",
        country="IE",
        city="Dublin",
        timezone="Europe/Dublin",
        languages=("en",),
        website="https://www.tcd.ie",
        locale="en_IE",
        size=6,
        description="Ireland's oldest university, founded in 1592.",
        units=(
            Unit(
                "Faculty of Science, Technology, Engineering and Mathematics",
                code="STEM",
                children=(
                    _dept("School of Engineering"),
                    _dept("School of Computer Science and Statistics"),
                    _dept("School of Physics"),
                ),
            ),
            Unit("Faculty of Arts, Humanities and Social Sciences"),
            Unit("Faculty of Health Sciences"),
        ),
    ),
    InstitutionData(
        schac="aalto.fi",
        name="Aalto University",
        short_name="Aalto",
        erasmus_code="SF ESPOO12",
        country="FI",
        city="Espoo",
        timezone="Europe/Helsinki",
        languages=("fi", "sv", "en"),
        website="https://www.aalto.fi",
        locale="fi_FI",
        size=12,
        description=(
            "Formed in 2010 from Helsinki's universities of technology, economics and art and "
            "design."
        ),
        units=(
            Unit("School of Engineering"),
            Unit("School of Electrical Engineering"),
            Unit(
                "School of Science",
                children=(
                    _dept("Department of Computer Science"),
                    _dept("Department of Mathematics and Systems Analysis"),
                ),
            ),
            Unit("School of Chemical Engineering"),
            Unit("School of Arts, Design and Architecture"),
        ),
    ),
    InstitutionData(
        schac="tu-darmstadt.de",
        name="Technische Universität Darmstadt",
        short_name="TU Darmstadt",
        erasmus_code="D  DARMSTA01",
        country="DE",
        city="Darmstadt",
        timezone="Europe/Berlin",
        languages=("de", "en"),
        website="https://www.tu-darmstadt.de",
        locale="de_DE",
        size=25,
        description="A technical university founded in 1877.",
        units=(
            Unit("Department of Mechanical Engineering"),
            Unit("Department of Electrical Engineering and Information Technology"),
            Unit("Department of Computer Science"),
            Unit("Department of Civil and Environmental Engineering"),
            Unit("Department of Materials and Earth Sciences"),
        ),
    ),
    InstitutionData(
        schac="tue.nl",
        name="Eindhoven University of Technology",
        short_name="TU/e",
        erasmus_code="NL EINDHOV17",
        country="NL",
        city="Eindhoven",
        timezone="Europe/Amsterdam",
        languages=("en", "nl"),
        website="https://www.tue.nl",
        locale="nl_NL",
        size=13,
        description="A technical university founded in 1956 in the Brainport region.",
        units=(
            Unit("Department of Mechanical Engineering"),
            Unit("Department of Electrical Engineering"),
            Unit("Department of Mathematics and Computer Science"),
            Unit("Department of Industrial Design"),
            Unit("Department of the Built Environment"),
        ),
    ),
    InstitutionData(
        schac="uclouvain.be",
        name="Université catholique de Louvain",
        short_name="UCLouvain",
        erasmus_code="B  LOUVAIN01",
        country="BE",
        city="Louvain-la-Neuve",
        timezone="Europe/Brussels",
        languages=("fr", "en"),
        website="https://uclouvain.be",
        locale="fr_BE",
        size=6,
        description="A French-speaking university rooted in 1425, in Louvain-la-Neuve since 1968.",
        units=(
            Unit(
                "École polytechnique de Louvain",
                code="EPL",
                children=(
                    Unit(
                        "Institute of Information and Communication Technologies, "
                        "Electronics and Applied Mathematics",
                        kind=INSTITUTE,
                        code="ICTEAM",
                    ),
                    Unit(
                        "Institute of Mechanics, Materials and Civil Engineering",
                        kind=INSTITUTE,
                        code="iMMC",
                    ),
                ),
            ),
            Unit("Faculté des sciences", code="SC"),
            Unit("Louvain School of Management", code="LSM"),
            Unit("Faculté d'architecture, d'ingénierie architecturale, d'urbanisme", code="LOCI"),
        ),
    ),
    InstitutionData(
        schac="upc.edu",
        name="Universitat Politècnica de Catalunya",
        short_name="UPC",
        erasmus_code="E  BARCELO03",
        country="ES",
        city="Barcelona",
        timezone="Europe/Madrid",
        languages=("ca", "es", "en"),
        website="https://www.upc.edu",
        locale="es_ES",
        size=30,
        description="BarcelonaTech, the public technical university of Catalonia, since 1971.",
        units=(
            Unit("Barcelona School of Industrial Engineering", code="ETSEIB"),
            Unit("Barcelona School of Telecommunications Engineering", code="ETSETB"),
            Unit("Barcelona School of Civil Engineering", code="Camins"),
            Unit("Barcelona School of Informatics", code="FIB"),
            Unit("Barcelona School of Architecture", code="ETSAB"),
        ),
    ),
)

ASSOCIATE_PARTNERS: tuple[InstitutionData, ...] = (
    InstitutionData(
        schac="tpu.ru",
        name="Tomsk Polytechnic University",
        short_name="TPU",
        country="RU",
        city="Tomsk",
        timezone="Asia/Tomsk",
        languages=("ru", "en"),
        website="https://tpu.ru",
        locale="ru_RU",
        size=14,
        description="The first technical university in Asian Russia, founded in 1896.",
        units=(
            Unit("School of Energy & Power Engineering"),
            Unit("School of Nuclear Science & Engineering"),
            Unit("School of Earth Sciences & Engineering"),
            Unit("School of Computer Science & Robotics"),
            Unit("School of Advanced Manufacturing Technologies"),
        ),
    ),
    InstitutionData(
        schac="polymtl.ca",
        name="Polytechnique Montréal",
        country="CA",
        city="Montréal",
        timezone="America/Toronto",
        languages=("fr",),
        website="https://www.polymtl.ca",
        locale="fr_CA",
        size=10,
        description="One of Canada's largest engineering schools, founded in 1873.",
        units=(
            Unit("Department of Computer and Software Engineering", kind=DEPARTMENT),
            Unit("Department of Electrical Engineering", kind=DEPARTMENT),
            Unit("Department of Mechanical Engineering", kind=DEPARTMENT),
            Unit("Department of Civil, Geological and Mining Engineering", kind=DEPARTMENT),
            Unit("Department of Chemical Engineering", kind=DEPARTMENT),
        ),
    ),
    InstitutionData(
        schac="usp.br",
        name="University of São Paulo",
        short_name="USP",
        country="BR",
        city="São Paulo",
        timezone="America/Sao_Paulo",
        languages=("pt-BR",),
        website="https://www.usp.br",
        locale="pt_BR",
        size=10,
        description="Brazil's largest public university, founded in 1934.",
        units=(
            Unit(
                "Escola Politécnica",
                code="Poli",
                children=(
                    _dept("Departamento de Engenharia Mecânica"),
                    _dept("Departamento de Engenharia de Computação e Sistemas Digitais"),
                ),
            ),
            Unit("Escola de Engenharia de São Carlos", code="EESC"),
            Unit("Instituto de Matemática e Estatística", code="IME"),
            Unit("Instituto de Física", code="IF"),
        ),
    ),
    InstitutionData(
        schac="tsinghua.edu.cn",
        name="Tsinghua University",
        country="CN",
        city="Beijing",
        timezone="Asia/Shanghai",
        languages=("zh-Hans", "en"),
        website="https://www.tsinghua.edu.cn",
        locale="zh_CN",
        size=25,
        description="A research university in Beijing, founded in 1911.",
        units=(
            Unit("School of Architecture"),
            Unit("School of Civil Engineering"),
            Unit("School of Mechanical Engineering"),
            Unit(
                "School of Information Science and Technology",
                children=(
                    _dept("Department of Computer Science and Technology"),
                    _dept("Department of Electronic Engineering"),
                    _dept("Department of Automation"),
                ),
            ),
            Unit("School of Materials Science and Engineering"),
        ),
    ),
)

ALL: tuple[InstitutionData, ...] = MEMBERS + ASSOCIATE_PARTNERS
