"""Probable-duplicate detection: the same names and birth date, accents, case and punctuation aside."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’.]+")


def normalise_name(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", without_accents.casefold()).strip()


def identity_key(last_name: str, first_names: str, birth_date) -> str:
    """A comparable key; empty when the birth date is unknown (no probable match can be claimed)."""
    if not birth_date:
        return ""
    return f"{normalise_name(last_name)}|{normalise_name(first_names)}|{birth_date.isoformat()}"
