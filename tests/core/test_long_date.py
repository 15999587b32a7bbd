"""``long_date`` writes a date from its numbers: what strftime in the C locale writes."""

from datetime import UTC, date, datetime, timedelta

from storefront.templating import long_date


def test_long_date_writes_what_strftime_writes():
    start = date(2024, 1, 1)
    for offset in range(0, 800, 3):
        day = start + timedelta(days=offset)
        moment = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        for value in (day, moment):
            assert str(long_date(value)) == (
                f'<time datetime="{value.strftime("%Y-%m-%d")}">{value.day} '
                f'{value.strftime("%B %Y")}</time>')


def test_long_date_reads_like_a_person_says_it():
    assert str(long_date(date(2026, 12, 7))) == (
        '<time datetime="2026-12-07">7 December 2026</time>')
