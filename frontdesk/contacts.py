"""Names, phone numbers and email addresses as the database stores them.

Phones become E.164 (``+447700900123``), read in the venue's country when no
country code is typed; emails are checked for form (never by looking the
domain up) and lower-cased.  What cannot be used raises ``InvalidInput`` with
a sentence a host can act on.
"""

from __future__ import annotations

import re

import email_validator
import phonenumbers

from frontdesk.errors import InvalidInput

DEFAULT_REGION = "GB"

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
#: What may be typed in a phone number: digits, spaces, brackets, dots,
#: slashes, dashes and one leading "+" (no letters, no extensions), as the
#: engine's private.fd_normalise_phone reads it.
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()./-]+")
_SPACES = re.compile(r"\s+")
_REASON = phonenumbers.ValidationResult


def normalise_name(text: str | None, *, field: str = "name") -> str:
    """A person's name with its spaces tidied; InvalidInput when empty."""
    name = _SPACES.sub(" ", text or "").strip()
    if not name:
        raise InvalidInput(field, "Enter the guest's name.")
    if len(name) > 200:
        raise InvalidInput(field, "That name is too long (200 characters at most).")
    return name


def normalise_phone(text: str | None, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None when nothing was typed.

    Raises InvalidInput("phone", ...) when it has too few or too many digits
    or is not a phone number at all.  Numbers of the country's longest length
    in ranges no operator uses yet (Ofcom's 07700 900xxx drama numbers) are
    accepted: the desk cannot know every range, and the guest is on the
    line; but never a number the country does not use at all (a French
    "06 12 34 56 78" read in the UK).  The engine reads what the website
    sends alike (private.fd_normalise_phone; tests/core/test_phone_parity.py).
    """
    typed = _SPACES.sub(" ", text or "").strip()
    if not typed:
        return None

    def wrong(why: str) -> InvalidInput:
        return InvalidInput("phone", f"That phone number doesn't look right: {typed} {why}.")

    if not _PHONE_CHARACTERS.fullmatch(typed):
        raise wrong("is not a phone number")
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.TOO_SHORT_NSN:
            raise wrong("has too few digits") from exc
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise wrong("starts with a country code that does not exist") from exc
        raise wrong("is not a phone number") from exc
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(number):
        return e164
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == _REASON.INVALID_COUNTRY_CODE:
        raise wrong("starts with a country code that does not exist")
    country_code = number.country_code or 0
    national = phonenumbers.national_significant_number(number)
    lengths = _possible_lengths(country_code)
    if reason == _REASON.TOO_SHORT or (lengths and len(national) < min(lengths)):
        raise wrong("has too few digits")
    if reason == _REASON.TOO_LONG or (lengths and len(national) > max(lengths)):
        raise wrong("has too many digits")
    # A trunk "0" still there was kept because too few digits followed it.
    cut_short = bool(number.italian_leading_zero) and len(national) < max(lengths, default=0)
    if not _in_use(country_code, national) and not cut_short:
        country = phonenumbers.region_code_for_country_code(country_code)
        raise wrong(f"is not a {country} number (one abroad starts with + and its country code)")
    if lengths and len(national) < max(lengths):
        raise wrong("has too few digits")
    if reason != _REASON.IS_POSSIBLE or not _E164.match(e164):
        raise wrong("is not a phone number")
    return e164


def _general_desc(country_code: int) -> phonenumbers.PhoneNumberDesc | None:
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    return None if metadata is None else metadata.general_desc


def _possible_lengths(country_code: int) -> tuple[int, ...]:
    desc = _general_desc(country_code)
    return () if desc is None else tuple(desc.possible_length or ())


def _in_use(country_code: int, national_number: str) -> bool:
    """Is this a national number the country uses at all (its general pattern)?"""
    desc = _general_desc(country_code)
    pattern = None if desc is None else desc.national_number_pattern
    return pattern is None or re.fullmatch(pattern, national_number) is not None


def normalise_email(text: str | None) -> str | None:
    """The address lower-cased, or None when nothing was typed.

    Raises InvalidInput("email", ...) when it is not an address.  The domain
    is not looked up (no network at the desk's say-so).
    """
    typed = (text or "").strip()
    if not typed:
        return None
    try:
        valid = email_validator.validate_email(typed, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise InvalidInput("email", f"That email address doesn't look right: {exc}") from exc
    return valid.normalized.lower()


def national_prefix_to_e164(digits: str, region: str = DEFAULT_REGION) -> str:
    """A partly typed number as the start of its E.164 form, for search as you
    type: "0770" → "+44770", "+44 77" → "+4477", "0044 1" → "+441"."""
    cleaned = re.sub(r"[^\d+]", "", digits)
    if cleaned.startswith("+"):
        return "+" + cleaned[1:].replace("+", "")
    cleaned = cleaned.replace("+", "")
    if cleaned.startswith("00"):
        return "+" + cleaned[2:]
    code = phonenumbers.country_code_for_region(region)
    if cleaned.startswith("0"):
        return f"+{code}{cleaned[1:]}"
    if cleaned.startswith(str(code)):
        return "+" + cleaned
    return f"+{code}{cleaned}"
