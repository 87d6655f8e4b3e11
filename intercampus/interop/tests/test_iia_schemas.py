"""Offline schema loading and validation, and the vendored copy of the EWP schemas."""

from __future__ import annotations

import filecmp
import socket
from pathlib import Path

import pytest
from lxml import etree

from intercampus.interop import schemas

IIAS = "raw.githubusercontent.com/erasmus-without-paper/ewp-specs-api-iias/stable-v7/endpoints"
IIAS_GET_EXAMPLE = schemas.VENDORED_DIR / IIAS / "get-response-example.xml"
IIAS_INDEX_EXAMPLE = schemas.VENDORED_DIR / IIAS / "index-response-example.xml"
OMOBILITIES_EXAMPLE = (
    schemas.VENDORED_DIR
    / "ewp-registry-service-copies/latest-examples"
    / "ewp-specs-api-omobilities-endpoints-get-response-example.xml"
)


def vendored_files() -> list[Path]:
    return sorted(p for p in schemas.VENDORED_DIR.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("kind", "example"),
    [
        ("iias-get-response", IIAS_GET_EXAMPLE),
        ("iias-index-response", IIAS_INDEX_EXAMPLE),
        ("omobilities-get-response", OMOBILITIES_EXAMPLE),
    ],
)
def test_official_examples_validate(kind: str, example: Path) -> None:
    assert schemas.validate(example.read_bytes(), kind) == []


def test_schemas_load_without_network(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("schema loading tried to open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    schemas.get_schema.cache_clear()
    schemas.get_lxml_schema.cache_clear()
    try:
        for kind in schemas.KINDS:
            assert schemas.get_schema(kind).validity == "valid"
            assert isinstance(schemas.get_lxml_schema(kind), etree.XMLSchema)
    finally:
        schemas.get_schema.cache_clear()
        schemas.get_lxml_schema.cache_clear()


def test_omobilities_v3_schema() -> None:
    schema = schemas.get_schema("omobilities-get-response")
    assert schema.target_namespace.endswith(
        "ewp-specs-api-omobilities/blob/stable-v3/endpoints/get-response.xsd"
    )
    broken = OMOBILITIES_EXAMPLE.read_bytes().replace(
        b"<nominee-isced-f-code>1234</nominee-isced-f-code>",
        b"<nominee-isced-f-code>12</nominee-isced-f-code>",
    )
    [problem] = schemas.validate(broken, "omobilities-get-response")
    assert problem.startswith("line 39, /omobilities-get-response/student-mobility/nomination/")
    assert "nominee-isced-f-code" in problem


def test_wrong_document_kind_is_named() -> None:
    [problem] = schemas.validate(OMOBILITIES_EXAMPLE.read_bytes(), "iias-get-response")
    # lxml reports the line where the (multi-line) start tag ends.
    assert problem.startswith("line 9: root element is ")
    assert "omobilities-get-response" in problem and "IIAs v7 get response" in problem


def test_syntax_error_has_line() -> None:
    [problem] = schemas.validate(b"<a>\n<b>\n</a>", "iias-index-response")
    assert problem.startswith("line 3: ")


def test_doctype_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>'
    assert schemas.validate(bomb, "iias-index-response") == ["line 1: a DOCTYPE is not allowed"]


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        schemas.validate(b"<a/>", "iias-stats")


def test_problem_count_is_capped() -> None:
    ids = b"".join(b"<iia-id>has space %d</iia-id>" % i for i in range(50))
    xml = IIAS_INDEX_EXAMPLE.read_bytes()
    xml = xml.replace(b"</iias-index-response>", ids + b"</iias-index-response>")
    assert len(schemas.validate(xml, "iias-index-response")) == schemas.MAX_PROBLEMS


# --- the mirror and the vendored copy -------------------------------------------------------


def test_urls_map_to_vendored_files(monkeypatch) -> None:
    monkeypatch.delenv(schemas.EWP_DIR_ENV, raising=False)
    url = f"https://{IIAS}/get-response.xsd"
    assert Path(schemas.map_url(url)) == schemas.VENDORED_DIR / IIAS / "get-response.xsd"
    assert schemas.map_url("../relative.xsd") == "../relative.xsd"


def test_explicit_mirror_wins(monkeypatch, tmp_path: Path) -> None:
    override = tmp_path / IIAS / "get-response.xsd"
    override.parent.mkdir(parents=True)
    override.write_text("<x/>")
    monkeypatch.setenv(schemas.EWP_DIR_ENV, str(tmp_path))
    assert schemas.shared_ewp_dir() == tmp_path
    assert schemas.locate(f"{IIAS}/get-response.xsd") == override
    # Files the override lacks still come from the vendored copy.
    assert schemas.locate(f"{IIAS}/index-response.xsd").is_relative_to(schemas.VENDORED_DIR)


def test_missing_file_names_places_tried(monkeypatch) -> None:
    monkeypatch.delenv(schemas.EWP_DIR_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match="ewp_schemas"):
        schemas.locate("example.org/none.xsd")


def test_vendored_copy_is_small_and_licensed() -> None:
    files = vendored_files()
    assert sum(p.stat().st_size for p in files) < 400_000
    for xsd in (p for p in files if p.suffix == ".xsd" and "www.w3.org" not in p.parts):
        folders = [xsd.parent, *xsd.parents][:4]
        assert any((f / "LICENSE").is_file() for f in folders), xsd


def test_vendored_copy_matches_shared_mirror(monkeypatch) -> None:
    monkeypatch.delenv(schemas.EWP_DIR_ENV, raising=False)
    shared = schemas.shared_ewp_dir()
    if not shared.is_dir():
        pytest.skip(f"no shared EWP mirror at {shared}")
    for path in vendored_files():
        relative = path.relative_to(schemas.VENDORED_DIR)
        if relative.name == "README.md":
            continue
        assert filecmp.cmp(path, shared / relative, shallow=False), relative


def test_a_large_refused_document_is_described_by_libxml2_with_lines(monkeypatch) -> None:
    monkeypatch.setattr(schemas, "DETAILED_PROBLEMS_MAX_ELEMENTS", 2)
    xml = IIAS_INDEX_EXAMPLE.read_bytes()
    ids = b"".join(b"<iia-id>has space %d</iia-id>" % i for i in range(3))
    xml = xml.replace(b"</iias-index-response>", ids + b"</iias-index-response>")
    problems = schemas.problems(xml, "iias-index-response")
    assert problems and all(p.line for p in problems)
    assert "iia-id" in problems[0].message and "{" not in problems[0].message.split(":")[0]
