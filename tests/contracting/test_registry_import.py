"""Importing Syriusz exports: each validation rule, each bad input, re-import idempotency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from okienko.accounts.models import Organisation
from okienko.contracting.registry import importer, mappers, synthetic
from okienko.contracting.registry import validation as v
from okienko.contracting.registry.models import ImportBatch, ImportRejection, RegisteredPerson
from okienko.core.models import AuditRecord
from tests.contracting.registry_helpers import EXAMPLES, csv_bytes, one_row, run


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


# --- validation rules ------------------------------------------------------------------------------


def test_pesel_checksum_date_and_gender() -> None:
    valid = synthetic.pesel(dt.date(2003, 7, 9), "F", 123)
    found = v.pesel(valid)
    assert found.birth_date == dt.date(2003, 7, 9)
    assert found.gender == "F"
    assert valid[2:4] == "27"  # the 2000s add 20 to the month
    assert v.pesel(synthetic.pesel(dt.date(1899, 12, 31), "M", 7)).birth_date == dt.date(1899, 12, 31)
    wrong = valid[:10] + str((int(valid[10]) + 1) % 10)
    for bad, code in [
        (wrong, "pesel_checksum"),
        ("1234567890", "pesel_format"),
        ("abcdefghijk", "pesel_format"),
        ("１２３４５６７８９０１", "pesel_format"),
    ]:
        with pytest.raises(v.FieldProblem) as problem:
            v.pesel(bad)
        assert problem.value.code == code
    # 31 February with a correct check digit
    digits = "990231" + "1234"
    check = (10 - sum(w * int(d) for w, d in zip((1, 3, 7, 9, 1, 3, 7, 9, 1, 3), digits, strict=True)) % 10) % 10
    with pytest.raises(v.FieldProblem) as problem:
        v.pesel(digits + str(check))
    assert problem.value.code == "pesel_date"


def test_dates_iso_and_dotted() -> None:
    assert v.date("2024-03-15") == v.date("15.03.2024") == dt.date(2024, 3, 15)
    assert v.date("") is None
    for bad, code in [
        ("2024-02-30", "date"),
        ("31.04.2024", "date"),
        ("15/03/2024", "date_format"),
        ("2024-3-5", "date_format"),
    ]:
        with pytest.raises(v.FieldProblem) as problem:
            v.date(bad)
        assert problem.value.code == code
    with pytest.raises(v.FieldProblem):
        v.date(" ", required=True)


def test_kzis_codes_against_the_2023_list() -> None:
    assert v.occupation("411003") == {"code": "411003", "edition": "2023"}
    assert v.occupation_name("411003") == "Pracownik biurowy"
    assert len(v.kzis_names("2023")) > 2500  # 2,552 rows, a few codes listed twice
    for code, edition, problem_code in [
        ("999999", "", "kzis_unknown"),
        ("41100", "", "kzis_format"),
        ("411003", "2010", "kzis_edition"),
    ]:
        with pytest.raises(v.FieldProblem) as problem:
            v.occupation(code, edition)
        assert problem.value.code == problem_code


def test_education_levels_by_code_or_name(settings: Any) -> None:
    assert v.education("Wyższe") == "wyzsze"
    assert v.education("gimnazjalne/podstawowe") == "podstawowe"
    assert v.education("policealne_srednie_zawodowe") == "policealne_srednie_zawodowe"
    assert v.education("") == ""
    with pytest.raises(v.FieldProblem):
        v.education("doktorat")
    settings.CONTRACTING_EDUCATION_LEVELS = [("isced3", "ISCED 3", ("średnie",))]
    assert v.education("średnie") == "isced3"
    assert v.education_label("isced3") == "ISCED 3"


def test_email_and_phone() -> None:
    assert v.email("Jan.Kowalski@Example.PL") == "Jan.Kowalski@example.pl"
    assert v.phone("600 100 200") == v.phone("+48 600-100-200") == v.phone("0048600100200") == "+48600100200"
    assert v.phone("+420 601 123 456") == "+420601123456"
    for bad in ["jan@", "@example.pl", "a b@example.pl"]:
        with pytest.raises(v.FieldProblem):
            v.email(bad)
    for bad in ["12345", "+48 12345", "600-100-2OO", "+1"]:
        with pytest.raises(v.FieldProblem):
            v.phone(bad)


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+48 cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "  =SPACED"],
    ids=["eq", "plus", "minus", "at", "tab", "cr", "spaced"],
)
def test_formula_cells_are_refused_where_text_is_expected(cell: str) -> None:
    with pytest.raises(v.FieldProblem) as problem:
        v.name(cell)
    assert problem.value.code == "formula"
    with pytest.raises(v.FieldProblem):
        v.text(cell, max_length=200)


def test_names_letters_only() -> None:
    assert v.name("Anna-Maria") == "Anna-Maria"
    assert v.name("O'Neil") == "O'Neil"
    with pytest.raises(v.FieldProblem):
        v.name("Jan3")
    with pytest.raises(v.FieldProblem):
        v.name("<script>")
    with pytest.raises(v.FieldProblem):
        v.name("")


def test_shown_value_is_safe() -> None:
    assert v.shown("a\x00b\u202ec") == "a\ufffdb\ufffdc"
    assert len(v.shown("x" * 500)) == 80


# --- rows through the CSV mapper -------------------------------------------------------------------


def _problems(data: bytes) -> list[tuple[str, str]]:
    mapper = mappers.get("csv")
    assert mapper is not None
    found: list[tuple[str, str]] = []
    for _n, raw in mapper.rows(data):
        try:
            mapper.map(raw)
        except v.RowProblems as row:
            found.extend((p.field, p.code) for p in row.problems)
    return found


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"pesel": "12345678901"}, ("pesel", "pesel_checksum")),
        ({"pesel": "", "dokument": ""}, ("pesel", "identity")),
        ({"data_urodzenia": "1900-01-01"}, ("data_urodzenia", "pesel_birth_date")),
        ({"data_urodzenia": ""}, ("data_urodzenia", "required")),
        ({"data_rejestracji": "2999-01-01"}, ("data_rejestracji", "future")),
        ({"imie": ""}, ("imie", "required")),
        ({"nazwisko": "=cmd|' /C calc'!A0"}, ("nazwisko", "formula")),
        ({"ulica": "@SUM(1)"}, ("ulica", "formula")),
        ({"kwalifikacje": "prawo jazdy|=HYPERLINK(1)"}, ("kwalifikacje", "formula")),
        ({"historia_zatrudnienia": "+Firma^x^2020-01-01^2020-02-01"}, ("historia_zatrudnienia", "formula")),
        ({"historia_zatrudnienia": "Firma^x^2020-05-01^2020-02-01"}, ("historia_zatrudnienia", "period")),
        ({"aktywizacja": "staż^2020-13-01^"}, ("aktywizacja", "date")),
        ({"zawody": "123456"}, ("zawody", "kzis_unknown")),
        ({"edycja_kzis": "2010"}, ("zawody", "kzis_edition")),
        ({"wyksztalcenie": "inne"}, ("wyksztalcenie", "education")),
        ({"status": "emeryt"}, ("status", "status")),
        ({"plec": "X"}, ("plec", "gender")),
        ({"email": "nie-adres"}, ("email", "email")),
        ({"telefon": "+48 12"}, ("telefon", "phone")),
        ({"kod_pocztowy": "15354"}, ("kod_pocztowy", "postcode")),
        ({"teryt": "20610"}, ("teryt", "teryt")),
        ({"id_syriusz": ""}, ("id_syriusz", "required")),
        ({"id_syriusz": "BI 1; DROP"}, ("id_syriusz", "registry_id")),
    ],
    ids=lambda value: "-".join(value),
)
def test_each_rule_rejects_the_row_naming_the_field(changes: dict[str, str], expected: tuple[str, str]) -> None:
    assert expected in _problems(one_row(**changes))


def test_a_valid_row_maps_to_the_model_fields() -> None:
    mapper = mappers.get("csv")
    assert mapper is not None
    [(number, raw)] = list(mapper.rows(one_row(zawody="411003|522301", kwalifikacje="prawo jazdy kat. B")))
    fields = mapper.map(raw)
    assert number == 2
    assert fields["occupations"] == [{"code": "411003", "edition": "2023"}, {"code": "522301", "edition": "2023"}]
    assert fields["qualifications"] == ["prawo jazdy kat. B"]
    assert fields["status"] in {"unemployed", "job_seeker"}
    assert fields["phone"].startswith("+48") or fields["phone"] == ""


def test_a_person_without_pesel_needs_a_document() -> None:
    assert _problems(one_row(pesel="", dokument="ABC123456")) == []


# --- whole files -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_example_csv_and_xml_import_fully(office: Organisation) -> None:
    batch = run(office, (EXAMPLES / "syriusz-example.csv").read_bytes())
    assert (batch.status, batch.rows, batch.created, batch.rejected) == ("done", 60, 60, 0)
    xml = run(office, (EXAMPLES / "syriusz-example.xml").read_bytes(), "xml", "eksport.xml")
    assert (xml.status, xml.rows, xml.created, xml.rejected) == ("done", 60, 60, 0)
    person = RegisteredPerson.objects.get(office=office, registry_id="LM/2026/000001")
    assert person.first_name == "Beata"
    assert person.occupations == [{"code": "712905", "edition": "2023"}]
    assert person.work_history[0]["employer"] == "Hotel Branicki"
    assert person.updated_from_batch == xml
    assert xml.original_name == "eksport.xml"
    assert xml.content_type == "application/xml"
    assert AuditRecord.objects.filter(action="contracting_registry.imported").count() == 2


@pytest.mark.django_db
def test_bad_rows_example_report(office: Organisation) -> None:
    batch = run(office, (EXAMPLES / "syriusz-bledy.csv").read_bytes())
    assert batch.status == "done"
    assert (batch.rows, batch.created, batch.rejected) == (14, 3, 11)
    reasons = {(r.row, r.field, r.code) for r in batch.rejections.all()}
    assert (2, "pesel", "pesel_checksum") in reasons
    assert (6, "imie", "formula") in reasons
    assert (11, "id_syriusz", "duplicate") in reasons
    duplicate = batch.rejections.get(code="duplicate")
    assert "wiersza 10" in duplicate.reason  # the tests speak Polish
    formula = batch.rejections.get(code="formula")
    assert not RegisteredPerson.objects.filter(first_name__startswith="=").exists()
    assert formula.value.startswith("=HYPERLINK")  # shown as sent; escaped in the CSV download


@pytest.mark.django_db
def test_reimport_updates_never_duplicates(office: Organisation) -> None:
    data = csv_bytes(50)
    first = run(office, data)
    assert (first.created, first.updated, first.unchanged) == (50, 0, 0)
    again = run(office, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 50)
    changed = data.replace(b";bezrobotny;", b";wyrejestrowany;", 1)
    third = run(office, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 49)
    assert RegisteredPerson.objects.filter(office=office).count() == 50
    assert RegisteredPerson.objects.filter(status="deregistered").get().updated_from_batch == third


@pytest.mark.django_db
def test_same_ids_in_another_office_are_other_people(region: Organisation) -> None:
    data = csv_bytes(5)
    run(Organisation.objects.get(code="pup-a"), data)
    run(Organisation.objects.get(code="pup-b"), data)
    assert RegisteredPerson.objects.count() == 10


@pytest.mark.django_db
def test_rejected_row_never_touches_stored_data(office: Organisation) -> None:
    run(office, one_row())
    before = RegisteredPerson.objects.get()
    run(office, one_row(pesel="12345678901", nazwisko="Zmieniona"))
    after = RegisteredPerson.objects.get()
    assert after.last_name == before.last_name
    assert after.pesel == before.pesel
    assert after.updated_from_batch_id == before.updated_from_batch_id


@pytest.mark.django_db
def test_duplicate_pesel_in_the_file(office: Organisation) -> None:
    people = list(synthetic.people(2, seed=3))
    people[1].pesel = people[0].pesel
    people[1].birth_date = people[0].birth_date
    people[1].gender = people[0].gender
    batch = run(office, synthetic.to_csv([synthetic.csv_row(p) for p in people]).encode())
    rejection = batch.rejections.get()
    assert (rejection.row, rejection.field, rejection.code) == (3, "pesel", "duplicate")
    assert "wiersza 2" in rejection.reason


@pytest.mark.django_db
def test_windows_1250_and_comma_files_are_read(office: Organisation) -> None:
    data = csv_bytes(20, delimiter=",", encoding="cp1250")
    batch = run(office, data)
    assert (batch.status, batch.created, batch.rejected) == ("done", 20, 0)
    assert (
        RegisteredPerson.objects.filter(last_name__contains="ń").exists()
        or RegisteredPerson.objects.filter(last_name__contains="ł").exists()
    )


@pytest.mark.django_db
def test_utf8_bom_is_read(office: Organisation) -> None:
    assert run(office, b"\xef\xbb\xbf" + csv_bytes(3)).created == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code_word"),
    [
        (b"ISO" + b"\n" + "Łącka;Śląsk;ź".encode("iso-8859-2"), "ISO-8859-2"),
        ("id;x\n".encode("utf-16"), "UTF-16"),
        (b"\x81\x83\x88\x90\x98 not cp1250", "ani UTF-8, ani Windows-1250"),
        (b"id_syriusz;pesel\n1;\x01\x02", "znaki sterujące"),
    ],
    ids=["latin2", "utf16", "undefined-bytes", "control-chars"],
)
def test_wrong_encodings_are_refused_with_a_clear_message(office: Organisation, data: bytes, code_word: str) -> None:
    batch = run(office, data)
    assert batch.status == ImportBatch.State.REFUSED
    assert code_word in batch.refusal
    assert not RegisteredPerson.objects.exists()
    assert not ImportRejection.objects.exists()


@pytest.mark.django_db
def test_missing_columns_refuse_the_file_listing_them(office: Organisation) -> None:
    data = b"id_syriusz;imie;nazwisko\nBI/1;Jan;Nowak\n"
    batch = run(office, data)
    assert batch.status == "refused"
    for column in ("pesel", "data_urodzenia", "data_rejestracji", "status", "wyksztalcenie", "zawody"):
        assert column in batch.refusal
    assert "imie" not in batch.refusal


@pytest.mark.django_db
def test_headers_match_without_case_or_polish_letters(office: Organisation) -> None:
    data = csv_bytes(2).decode()
    header, rest = data.split("\r\n", 1)
    header = header.replace("imie", "Imię").replace("data_urodzenia", "Data urodzenia").replace("nazwisko", "NAZWISKO")
    assert run(office, (header + "\r\n" + rest).encode()).created == 2


@pytest.mark.django_db
def test_rows_with_wrong_cell_counts_are_rejected(office: Organisation) -> None:
    data = csv_bytes(2) + b"BI/X;1;2\r\n"
    batch = run(office, data)
    assert batch.created == 2
    assert batch.rejected == 1
    assert batch.rejections.get().code == "cells"


@pytest.mark.django_db
def test_empty_and_oversized_files_are_refused(office: Organisation) -> None:
    with pytest.raises(importer.ImportRefused):
        run(office, b"")
    with pytest.raises(importer.ImportRefused):
        importer.import_file(office=office, data=b"x" * 100, name="a.csv", mapper_name="csv", actor=None, max_bytes=10)
    with pytest.raises(importer.ImportRefused):
        run(office, b"a", mapper="xlsx")
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_failure_mid_import_leaves_whole_chunks(office: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "CHUNK", 10)
    calls = {"n": 0}
    original = RegisteredPerson.objects.bulk_create

    def failing(objs: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return original(objs, **kwargs)

    monkeypatch.setattr(RegisteredPerson.objects, "bulk_create", failing)
    with pytest.raises(RuntimeError):
        run(office, csv_bytes(35))
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert RegisteredPerson.objects.count() == 20 == batch.created
    monkeypatch.undo()
    retry = run(office, csv_bytes(35))
    assert (retry.created, retry.unchanged) == (15, 20)


@pytest.mark.django_db
def test_five_thousand_rows(office: Organisation) -> None:
    batch = run(office, csv_bytes(5000, seed=11))
    assert batch.rows == 5000
    assert batch.created + batch.rejected == 5000
    assert RegisteredPerson.objects.count() == batch.created
    assert run(office, csv_bytes(5000, seed=11)).unchanged == batch.created


# --- XML -------------------------------------------------------------------------------------------

XML_PERSON = (
    '<osoba id="LM/1"><pesel>{pesel}</pesel><imie>Jan</imie><nazwisko>{name}</nazwisko>'
    "<data_urodzenia>1990-05-04</data_urodzenia>"
    '<rejestracja data="2025-01-02" status="bezrobotny"/><wyksztalcenie>wyższe</wyksztalcenie>'
    '<zawody><zawod kod="411003" edycja="2023"/></zawody></osoba>'
)
PESEL_1990 = synthetic.pesel(dt.date(1990, 5, 4), "M", 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "code_word"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "Nowak">]>'
            f"<eksport>{XML_PERSON.format(pesel=PESEL_1990, name='&e;')}</eksport>",
            "DTD",
        ),
        ('<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><eksport/>', "DTD"),
        (f"<eksport>{XML_PERSON.format(pesel=PESEL_1990, name='Nowak')}", "poprawnym składniowo"),
        ("<lista><osoba/></lista>", "<eksport>"),
        ("not xml at all", "poprawnym składniowo"),
    ],
    ids=["entity", "external-dtd", "truncated", "wrong-root", "not-xml"],
)
def test_hostile_or_broken_xml_is_refused(office: Organisation, document: str, code_word: str) -> None:
    batch = run(office, document.encode(), "xml", "x.xml")
    assert batch.status == "refused"
    assert code_word in batch.refusal
    assert not RegisteredPerson.objects.exists()


@pytest.mark.django_db
def test_xml_rows_validated_like_csv(office: Organisation) -> None:
    good = XML_PERSON.format(pesel=PESEL_1990, name="Nowak")
    bad = XML_PERSON.replace('id="LM/1"', 'id="LM/2"').format(pesel="12345678901", name="=Nowak")
    batch = run(office, f"<eksport>{good}{bad}</eksport>".encode(), "xml", "x.xml")
    assert (batch.created, batch.rejected) == (1, 1)
    assert {(r.row, r.field) for r in batch.rejections.all()} == {(2, "pesel"), (2, "nazwisko")}


@pytest.mark.django_db
def test_xml_in_windows_1250_with_declaration(office: Organisation) -> None:
    person = XML_PERSON.format(pesel=PESEL_1990, name="Żółć")
    doc = f'<?xml version="1.0" encoding="windows-1250"?><eksport>{person}</eksport>'
    run(office, doc.encode("cp1250"), "xml", "x.xml")
    assert RegisteredPerson.objects.get().last_name == "Żółć"
