"""Probable duplicates: persons with the same names and birth date, accents, case and punctuation aside.

The candidates are always a scope the caller may see (`beneficiaires.access.visible_to(user)`), so a
warning never reveals a person accompanied by another association.
"""

from beneficiaires.identity import identity_key


def probable_duplicates(candidates, last_name, first_names, birth_date, *, exclude_pk=None):
    """The persons among `candidates` whose identity key matches; none when the birth date is unknown."""
    key = identity_key(last_name, first_names, birth_date)
    if not key:
        return candidates.none()
    matches = candidates.filter(identity_key=key)
    if exclude_pk is not None:
        matches = matches.exclude(pk=exclude_pk)
    return matches.order_by("reference")
