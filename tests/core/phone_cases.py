"""One table of phone numbers as typed, the venue's phone country, and what
both readers must make of them: frontdesk.contacts.normalise_phone (the desk)
and private.fd_normalise_phone (the engine, for the website).  None: refused.

Left out, because the two cannot decide them alike:

- numbers of a calling code the engine does not list (private.fd_phone_countries):
  the engine only checks E.164's shape, the desk validates them fully
  ("+999 1234 5678", a code that does not exist, is refused by the desk only;
  "+81 0 3 1234 5678" loses its trunk 0 at the desk only);
- numbers the country uses (its pattern and one of its lengths) but shorter
  than its longest and in no allocated range: the desk refuses them
  (libphonenumber's full ranges), the engine cannot know the ranges.  An
  Irish mobile typed nationally at a UK venue, "087 123 4567", is one: 9
  digits starting with 8 fit the UK's pattern (0800 123456), so the engine
  stores +44871234567 where the desk refuses it;
- international prefixes other than the country's main one (AU's carrier
  codes 0014..., FI's 99x, NZ's 0161) and GB's text-relay prefix 18002:
  the desk reads them, the engine does not.
"""

from __future__ import annotations

#: (typed, venue's phone country, E.164 or None for refused)
PHONE_CASES: list[tuple[str, str, str | None]] = [
    # the UK, typed nationally
    ("07700 900123", "GB", "+447700900123"),  # mobile (Ofcom's drama range: accepted)
    ("07911 123456", "GB", "+447911123456"),
    ("020 7946 0958", "GB", "+442079460958"),  # London
    ("0113 496 0000", "GB", "+441134960000"),  # Leeds
    ("01632 960123", "GB", "+441632960123"),
    ("0800 1111", "GB", "+448001111"),  # a 7-digit freephone number
    ("7700 900123", "GB", "+447700900123"),  # the trunk 0 forgotten
    # ... with the country code
    ("+44 7700 900123", "GB", "+447700900123"),
    ("+447700900123", "GB", "+447700900123"),
    ("0044 7700 900123", "GB", "+447700900123"),
    ("44 7700 900123", "GB", "+447700900123"),  # the + forgotten
    ("+44 (0)20 7946 0958", "GB", "+442079460958"),
    ("0044 (0)20 7946 0958", "GB", "+442079460958"),
    ("+44 020 7946 0958", "GB", "+442079460958"),
    ("+44 (0)7700 900123", "FR", "+447700900123"),
    # ... with dots, dashes, brackets, slashes and stray spaces
    ("07700.900.123", "GB", "+447700900123"),
    ("07700-900-123", "GB", "+447700900123"),
    ("(0113) 496-0000", "GB", "+441134960000"),
    ("0113/496/0000", "GB", "+441134960000"),
    ("  07700   900 123  ", "GB", "+447700900123"),
    ("0044 (7700) 900-001", "GB", "+447700900001"),
    ("07700\u00a0900123", "GB", "+447700900123"),  # a no-break space, pasted
    ("\t07700 900123\n", "GB", "+447700900123"),
    # France: national at a French venue, international anywhere
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("01 42 68 53 00", "FR", "+33142685300"),
    ("06.12.34.56.78", "FR", "+33612345678"),
    ("+33 6 12 34 56 78", "GB", "+33612345678"),
    ("0033 6 12 34 56 78", "GB", "+33612345678"),
    ("+33 (0)6 12 34 56 78", "GB", "+33612345678"),
    ("+33 1 42 68 53 00", "GB", "+33142685300"),
    # a number of one country typed nationally at a venue of another
    ("06 12 34 56 78", "GB", None),  # French mobile: not a UK number
    ("07700 900123", "FR", None),  # UK mobile: too long for France
    ("020 7946 0958", "FR", None),
    # the US
    ("(202) 555-0143", "US", "+12025550143"),
    ("202-555-0143", "US", "+12025550143"),
    ("1 202 555 0143", "US", "+12025550143"),  # the long-distance 1
    ("+1 202 555 0143", "US", "+12025550143"),
    ("+1 (202) 555-0143", "GB", "+12025550143"),
    ("001 202 555 0143", "GB", "+12025550143"),
    ("011 44 20 7946 0958", "US", "+442079460958"),  # dialled out of the US
    ("555-0143", "US", None),  # no area code
    ("0044 20 7946 0958", "US", None),  # 00 is not how the US dials out
    # Ireland
    ("087 123 4567", "IE", "+353871234567"),
    ("01 234 5678", "IE", "+35312345678"),
    ("+353 87 123 4567", "GB", "+353871234567"),
    ("00353 (0)87 123 4567", "GB", "+353871234567"),
    # a few more of the listed countries
    ("030 123456", "DE", "+4930123456"),
    ("+49 30 1234567", "GB", "+49301234567"),
    ("06 1234 5678", "IT", "+390612345678"),  # Italy keeps its 0
    ("+39 06 1234 5678", "GB", "+390612345678"),
    ("612 345 678", "ES", "+34612345678"),
    ("0412 345 678", "AU", "+61412345678"),
    ("021 123 4567", "NZ", "+64211234567"),
    # a listed calling code the engine knows by its main country
    ("+1 613 555 0143", "GB", "+16135550143"),  # Canada
    # a calling code the engine does not list: E.164's shape, '(0)' dropped
    ("+81 3 1234 5678", "GB", "+81312345678"),
    ("+81 (0)3 1234 5678", "GB", "+81312345678"),
    # garbage
    ("call me", "GB", None),
    ("07700 900123 ext 12", "GB", None),  # no extensions
    ("0800 FLOWERS", "GB", None),  # no letters
    ("07700 9OO123", "GB", None),  # letter O for zero
    ("++44 7700 900123", "GB", None),
    ("07700 900123 +1", "GB", None),
    ("+", "GB", None),
    ("()-./", "GB", None),
    ("+0 7700 900123", "GB", None),
    # too short
    ("123", "GB", None),
    ("0113 496", "GB", None),
    ("07700 9001", "GB", None),
    ("+44 7700 9001", "GB", None),
    ("06 12 34 56", "FR", None),
    ("+33 6 12 34 56", "GB", None),
    # too long
    ("07700 900123 4567", "GB", None),
    ("+44 7700 900123 45", "GB", None),
    ("06 12 34 56 78 9", "FR", None),
    ("+1 202 555 01435", "GB", None),
    ("+81 3 1234 5678 1234 5", "GB", None),  # longer than E.164 allows
]
