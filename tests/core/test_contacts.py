"""Phones, emails and names as the database stores them; messages a host can act on."""

from __future__ import annotations

import pytest

from frontdesk import contacts
from frontdesk.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900123", "+447700900123"),  # Ofcom's drama range: right length, accepted
        ("+44 7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("(0113) 496-0000", "+441134960000"),
        ("0113 496 0000", "+441134960000"),
        ("+1 202 555 0143", "+12025550143"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_phones_become_e164(typed: str, stored: str) -> None:
    assert contacts.normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_no_phone_is_none(typed: str | None) -> None:
    assert contacts.normalise_phone(typed) is None


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("0113 496", "0113 496 has too few digits"),
        ("123", "123 has too few digits"),
        ("07700 900123 4567", "has too many digits"),
        ("call me", "is not a phone number"),
        ("+999 1234 5678", "country code that does not exist"),
    ],
)
def test_unusable_phones_say_why(typed: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        contacts.normalise_phone(typed)
    assert caught.value.field == "phone"
    assert caught.value.message.startswith("That phone number doesn't look right: ")
    assert why in caught.value.message


def test_phones_are_read_in_the_given_region() -> None:
    assert contacts.normalise_phone("(202) 555-0143", region="US") == "+12025550143"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Amelia.Khan@Example.COM", "amelia.khan@example.com"),
        ("  bob@example.org  ", "bob@example.org"),
        ("", None),
        (None, None),
    ],
)
def test_emails_are_lower_cased(typed: str | None, stored: str | None) -> None:
    assert contacts.normalise_email(typed) == stored


@pytest.mark.parametrize("typed", ["amelia@", "amelia", "a@b", "two@@example.com"])
def test_unusable_emails_say_why(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        contacts.normalise_email(typed)
    assert caught.value.field == "email"
    assert caught.value.message.startswith("That email address doesn't look right")


def test_names_are_tidied_and_required() -> None:
    assert contacts.normalise_name("  Amelia   Khan ") == "Amelia Khan"
    with pytest.raises(InvalidInput) as caught:
        contacts.normalise_name("   ")
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [("0770", "+44770"), ("+44 77", "+4477"), ("0044 1", "+441"), ("447", "+447"), ("77", "+4477")],
)
def test_partly_typed_numbers_become_e164_prefixes(typed: str, prefix: str) -> None:
    assert contacts.national_prefix_to_e164(typed) == prefix
