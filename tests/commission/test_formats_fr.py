"""The builtin date filters: one format for pages and letters, « 1er mars 2026 », in local time."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

ENGINE = engines["django"]
NBSP = "\u00a0"


def render(source, **context):
    with translation.override("fr"):
        return ENGINE.from_string(source).render(context)


def django_date(value):
    """What Django's `date:"j F Y"` writes, with the first of the month as French writes it."""
    day, rest = render('{{ value|date:"j F Y" }}', value=value).split(" ", 1)
    return f"{'1er' if day == '1' else day} {rest}"


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_a_date_is_written_as_django_writes_it_with_the_first_of_the_month(day):
    assert render("{{ value|date_fr }}", value=day) == django_date(day)


@given(
    st.datetimes(
        min_value=datetime.datetime(1970, 1, 1),
        max_value=datetime.datetime(2100, 12, 31),
        timezones=st.just(datetime.UTC),
    )
)
def test_a_moment_is_written_on_its_day_in_paris(moment):
    assert render("{{ value|date_fr }}", value=moment) == django_date(moment)


def test_new_year_s_eve_late_in_utc_is_already_new_year_s_day_in_paris():
    moment = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert render("{{ value|date_fr }}", value=moment) == "1er janvier 2026"


def test_the_letters_filter_writes_the_same_date_as_the_pages_with_a_no_break_space():
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 12, 22)):
        letter = render("{% load decision_tags %}{{ value|date_longue }}", value=day)
        assert letter.replace(NBSP, " ") == render("{{ value|date_fr }}", value=day)
        assert NBSP in letter


def test_with_the_day_of_the_week():
    assert render('{{ value|date_fr:"jour" }}', value=datetime.date(2026, 10, 1)) == "jeudi 1er octobre 2026"


def test_a_moment_with_its_time_in_paris():
    moment = datetime.datetime(2026, 12, 3, 13, 5, tzinfo=datetime.UTC)
    assert render("{{ value|datetime_fr }}", value=moment) == "3 décembre 2026 à 14:05"
    assert render('{{ value|datetime_fr:"jour" }}', value=moment) == "jeudi 3 décembre 2026 à 14:05"


def test_the_datetime_attribute_has_no_microseconds():
    moment = datetime.datetime(2026, 12, 3, 13, 5, 7, 123456, tzinfo=datetime.UTC)
    assert render("{{ value|datetime_attr }}", value=moment) == "2026-12-03T14:05:07+01:00"
    assert render("{{ value|datetime_attr }}", value=datetime.date(2026, 12, 3)) == "2026-12-03"


@pytest.mark.parametrize(
    "ago, expected",
    [
        (datetime.timedelta(seconds=0), "à l’instant"),
        (datetime.timedelta(seconds=59), "à l’instant"),
        (datetime.timedelta(minutes=1), f"il y a 1{NBSP}minute"),
        (datetime.timedelta(days=1), f"il y a 1{NBSP}jour"),
        (datetime.timedelta(days=3), f"il y a 3{NBSP}jours"),
    ],
)
def test_how_long_ago(ago, expected):
    now = timezone.now()
    assert render("{{ value|depuis:now }}", value=now - ago, now=now) == expected


def test_a_day_that_is_today_is_today_not_zero_minutes_ago():
    assert render("{{ value|depuis }}", value=timezone.localdate()) == "aujourd’hui"


@pytest.mark.parametrize("template", ["date_fr", "datetime_fr", "datetime_attr", "depuis"])
def test_nothing_or_not_a_date_is_written_as_nothing(template):
    for value in (None, "", "2026-01-01", 3):
        assert render(f"{{{{ value|{template} }}}}", value=value) == ""
