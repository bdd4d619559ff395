"""`date_fr` writes what Django's `date:"j F Y"` writes, in French and in local time."""

import datetime

from django.template import engines
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

ENGINE = engines["django"]
OURS = ENGINE.from_string("{{ value|date_fr }}")
DJANGO = ENGINE.from_string('{{ value|date:"j F Y" }}')


def both(value):
    with translation.override("fr"):
        return OURS.render({"value": value}), DJANGO.render({"value": value})


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_a_date_is_written_as_django_writes_it(day):
    ours, django = both(day)
    assert ours == django


@given(
    st.datetimes(
        min_value=datetime.datetime(1970, 1, 1),
        max_value=datetime.datetime(2100, 12, 31),
        timezones=st.just(datetime.UTC),
    )
)
def test_a_moment_is_written_on_its_day_in_paris(moment):
    ours, django = both(moment)
    assert ours == django


def test_new_year_s_eve_late_in_utc_is_already_new_year_s_day_in_paris():
    ours, _django = both(datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC))
    assert ours == "1 janvier 2026"


def test_nothing_or_not_a_date_is_written_as_nothing():
    for value in (None, "", "2026-01-01", 3):
        ours, django = both(value)
        assert ours == django == ""
