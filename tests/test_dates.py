"""Date arithmetic of terms: months are calendar months, clamped to the month's last day; ends inclusive."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.dates import add_months, months_between, term_end

D = datetime.date


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2025, 1, 15), 6, D(2025, 7, 15)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # 2024 is a leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 10, 15), 3, D(2026, 1, 15)),  # crosses the year
        (D(2025, 12, 31), 1, D(2026, 1, 31)),
        (D(2025, 1, 31), 0, D(2025, 1, 31)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 1, 15), -12, D(2024, 1, 15)),
        (D(2025, 1, 15), 24, D(2027, 1, 15)),
    ],
)
def test_add_months_keeps_the_day_or_clamps_to_the_last_day_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2025, 1, 1), 6, D(2025, 6, 30)),
        (D(2025, 1, 15), 6, D(2025, 7, 14)),
        (D(2025, 8, 31), 6, D(2026, 2, 27)),  # the day before 28 Feb, the clamped same date
        (D(2023, 8, 31), 6, D(2024, 2, 28)),  # the day before 29 Feb in a leap year
        (D(2025, 9, 1), 6, D(2026, 2, 28)),
        (D(2023, 9, 1), 6, D(2024, 2, 29)),
        (D(2025, 3, 1), 1, D(2025, 3, 31)),
        (D(2025, 1, 1), 36, D(2027, 12, 31)),
    ],
)
def test_term_end_is_the_day_before_the_same_date_months_later(start, months, expected):
    assert term_end(start, months) == expected


@pytest.mark.parametrize(
    "start, end_inclusive, expected",
    [
        (D(2025, 1, 1), D(2025, 6, 30), 6),
        (D(2025, 1, 1), D(2025, 6, 29), 5),  # one day short of six whole months
        (D(2025, 1, 1), D(2025, 7, 1), 6),  # one day over
        (D(2025, 8, 31), D(2026, 2, 27), 6),
        (D(2025, 8, 31), D(2026, 2, 26), 5),
        (D(2023, 8, 31), D(2024, 2, 28), 6),
        (D(2024, 1, 31), D(2024, 2, 28), 1),
        (D(2024, 1, 31), D(2024, 2, 27), 0),
        (D(2025, 1, 1), D(2026, 12, 31), 24),
        (D(2025, 5, 10), D(2025, 5, 10), 0),
    ],
)
def test_months_between_counts_whole_months_of_an_inclusive_term(start, end_inclusive, expected):
    assert months_between(start, end_inclusive) == expected


@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
    months=st.integers(min_value=0, max_value=48),
)
def test_months_between_of_a_term_gives_back_its_length(start, months):
    assert months_between(start, term_end(start, months)) == months


@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
    months=st.integers(min_value=1, max_value=48),
)
def test_a_term_always_ends_after_it_starts_and_within_the_target_month(start, months):
    end = term_end(start, months)
    following = end + datetime.timedelta(days=1)

    assert end >= start
    assert (following.year - start.year) * 12 + following.month - start.month == months
