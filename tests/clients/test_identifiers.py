import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from okienko.clients import identifiers

VALID_PESEL = "44051401359"
VALID_NIP = "1234563218"


def test_valid_pesel_is_accepted() -> None:
    assert identifiers.validate_pesel(VALID_PESEL) == VALID_PESEL


def test_pesel_with_spaces_is_normalised() -> None:
    assert identifiers.validate_pesel(" 440514 01359 ") == VALID_PESEL


@pytest.mark.parametrize("check", [d for d in range(10) if d != 9])
def test_pesel_with_any_wrong_check_digit_is_rejected(check: int) -> None:
    with pytest.raises(ValidationError) as exc:
        identifiers.validate_pesel(VALID_PESEL[:10] + str(check))
    assert exc.value.code == "pesel_checksum"


@pytest.mark.parametrize("value", ["", "4405140135", "440514013590", "4405140135a", "abcdefghijk"])
def test_pesel_of_wrong_length_or_characters_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        identifiers.validate_pesel(value)
    assert exc.value.code == "pesel_format"


def test_every_single_digit_change_of_a_pesel_is_detected() -> None:
    for position in range(11):
        for digit in "0123456789":
            if digit == VALID_PESEL[position]:
                continue
            changed = VALID_PESEL[:position] + digit + VALID_PESEL[position + 1 :]
            with pytest.raises(ValidationError):
                identifiers.validate_pesel(changed)


@pytest.mark.parametrize(
    ("birth", "month_digits"),
    [
        (dt.date(1850, 1, 31), "81"),
        (dt.date(1999, 12, 1), "12"),
        (dt.date(2004, 2, 29), "22"),
        (dt.date(2150, 6, 15), "46"),
        (dt.date(2250, 11, 30), "71"),
    ],
)
def test_pesel_century_is_encoded_in_the_month(birth: dt.date, month_digits: str) -> None:
    pesel = identifiers.make_pesel(birth, 123, female=True)
    assert pesel[2:4] == month_digits
    assert identifiers.validate_pesel(pesel) == pesel
    assert identifiers.pesel_birth_date(pesel) == birth
    assert identifiers.pesel_is_female(pesel) is True


def test_pesel_with_impossible_date_is_rejected() -> None:
    first_ten = "9902300000"  # 30 February 1999
    pesel = first_ten + str(identifiers.pesel_checksum(first_ten))
    with pytest.raises(ValidationError) as exc:
        identifiers.validate_pesel(pesel)
    assert exc.value.code == "pesel_date"


def test_pesel_with_month_outside_every_century_is_rejected() -> None:
    first_ten = "9913010000"
    pesel = first_ten + str(identifiers.pesel_checksum(first_ten))
    with pytest.raises(ValidationError) as exc:
        identifiers.validate_pesel(pesel)
    assert exc.value.code == "pesel_date"


def test_generated_pesels_are_all_valid() -> None:
    start = dt.date(1940, 1, 1)
    for offset in range(0, 30000, 7):
        birth = start + dt.timedelta(days=offset)
        for serial in (0, 499, 999):
            pesel = identifiers.make_pesel(birth, serial, female=serial % 2 == 0)
            assert identifiers.validate_pesel(pesel) == pesel
            assert identifiers.pesel_is_female(pesel) is (serial % 2 == 0)


def test_valid_nip_is_accepted() -> None:
    assert identifiers.validate_nip(VALID_NIP) == VALID_NIP


@pytest.mark.parametrize("value", ["123-456-32-18", "PL1234563218", "pl 123 456 32 18", "123.456.32.18"])
def test_nip_in_usual_notations_is_normalised(value: str) -> None:
    assert identifiers.validate_nip(value) == VALID_NIP


@pytest.mark.parametrize("check", [d for d in range(10) if d != 8])
def test_nip_with_any_wrong_check_digit_is_rejected(check: int) -> None:
    with pytest.raises(ValidationError) as exc:
        identifiers.validate_nip(VALID_NIP[:9] + str(check))
    assert exc.value.code == "nip_checksum"


def test_nip_whose_checksum_is_ten_is_always_rejected() -> None:
    first_nine = next(f"{n:09d}" for n in range(100000000, 100001000) if identifiers.nip_checksum(f"{n:09d}") == 10)
    for last in "0123456789":
        with pytest.raises(ValidationError):
            identifiers.validate_nip(first_nine + last)


@pytest.mark.parametrize("value", ["", "123456321", "12345632181", "12345632a8"])
def test_nip_of_wrong_length_or_characters_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        identifiers.validate_nip(value)
    assert exc.value.code == "nip_format"


def test_generated_nips_are_all_valid() -> None:
    for prefix in range(100000000, 100000000 + 5000, 3):
        nip = identifiers.make_nip(prefix)
        assert identifiers.validate_nip(nip) == nip
