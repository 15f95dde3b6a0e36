from datetime import date, timedelta

from customer_archive.tools.suggestions import (
    BIRTHDAY,
    FOLLOWUP_DUE,
    NO_VISIT,
    OPEN_COMPLAINT,
    PRODUCT_DEPLETED,
    PRODUCT_DEPLETING,
    RENEWAL_DUE,
    CustomerFacts,
    Suggestion,
    SuggestionSettings,
    suggest,
)

TODAY = date(2026, 3, 10)


def days(n):
    return TODAY + timedelta(days=n)


def kinds(suggestions):
    return [suggestion.kind for suggestion in suggestions]


def test_no_facts_no_suggestion():
    assert suggest(CustomerFacts(), TODAY) == []


def test_product_runs_out_in_five_days():
    facts = CustomerFacts(depletions=[("Tieguanyin 250 g", days(5))])
    assert suggest(facts, TODAY) == [
        Suggestion(PRODUCT_DEPLETING, days=5, subject="Tieguanyin 250 g")
    ]


def test_product_runs_out_today():
    facts = CustomerFacts(depletions=[("Tea", TODAY)])
    assert suggest(facts, TODAY) == [Suggestion(PRODUCT_DEPLETING, 0, "Tea")]


def test_product_beyond_window_ignored():
    facts = CustomerFacts(depletions=[("Tea", days(8))])
    assert suggest(facts, TODAY) == []


def test_product_ran_out_recently():
    facts = CustomerFacts(depletions=[("Tea", days(-3))])
    assert suggest(facts, TODAY) == [Suggestion(PRODUCT_DEPLETED, -3, "Tea")]


def test_product_ran_out_long_ago_ignored():
    facts = CustomerFacts(depletions=[("Tea", days(-31))])
    assert suggest(facts, TODAY) == []


def test_product_latest_depletion_wins():
    # An older purchase ran out, but a newer one of the same product lasts.
    facts = CustomerFacts(depletions=[("Tea", days(-2)), ("Tea", days(40))])
    assert suggest(facts, TODAY) == []


def test_products_without_name_or_date_skipped():
    facts = CustomerFacts(depletions=[("", days(1)), ("Tea", None)])
    assert suggest(facts, TODAY) == []


def test_birthday_in_three_days():
    facts = CustomerFacts(next_birthday=days(3))
    assert suggest(facts, TODAY) == [Suggestion(BIRTHDAY, days=3)]


def test_birthday_today():
    assert kinds(suggest(CustomerFacts(next_birthday=TODAY), TODAY)) == [BIRTHDAY]


def test_birthday_beyond_window_ignored():
    assert suggest(CustomerFacts(next_birthday=days(8)), TODAY) == []


def test_no_visit_for_sixty_days():
    facts = CustomerFacts(last_visit=days(-60))
    assert suggest(facts, TODAY) == [Suggestion(NO_VISIT, days=60)]


def test_recent_visit_no_suggestion():
    assert suggest(CustomerFacts(last_visit=days(-59)), TODAY) == []


def test_never_visited_counts_from_registration():
    facts = CustomerFacts(registration_date=days(-90))
    assert suggest(facts, TODAY) == [Suggestion(NO_VISIT, days=90)]


def test_visit_overrides_registration():
    facts = CustomerFacts(last_visit=days(-10), registration_date=days(-400))
    assert suggest(facts, TODAY) == []


def test_open_complaints_counted():
    facts = CustomerFacts(open_complaints=2)
    assert suggest(facts, TODAY) == [Suggestion(OPEN_COMPLAINT, count=2)]


def test_followup_due_and_overdue():
    assert suggest(CustomerFacts(next_followup=TODAY), TODAY) == [
        Suggestion(FOLLOWUP_DUE, days=0)
    ]
    assert suggest(CustomerFacts(next_followup=days(-4)), TODAY) == [
        Suggestion(FOLLOWUP_DUE, days=-4)
    ]


def test_followup_in_future_ignored():
    assert suggest(CustomerFacts(next_followup=days(1)), TODAY) == []


def test_renewal_soon_and_overdue():
    assert suggest(CustomerFacts(renewal_date=days(30)), TODAY) == [
        Suggestion(RENEWAL_DUE, days=30)
    ]
    assert suggest(CustomerFacts(renewal_date=days(-5)), TODAY) == [
        Suggestion(RENEWAL_DUE, days=-5)
    ]
    assert suggest(CustomerFacts(renewal_date=days(31)), TODAY) == []


def test_order_most_urgent_first():
    facts = CustomerFacts(
        depletions=[("Oolong", days(6)), ("Pu'er", days(2)), ("Green", days(-1))],
        next_birthday=days(3),
        last_visit=days(-61),
        open_complaints=1,
        next_followup=days(-1),
        renewal_date=days(10),
    )
    result = suggest(facts, TODAY)
    assert kinds(result) == [
        OPEN_COMPLAINT,
        FOLLOWUP_DUE,
        PRODUCT_DEPLETED,
        PRODUCT_DEPLETING,
        PRODUCT_DEPLETING,
        BIRTHDAY,
        RENEWAL_DUE,
        NO_VISIT,
    ]
    assert [s.subject for s in result if s.kind == PRODUCT_DEPLETING] == [
        "Pu'er",
        "Oolong",
    ]


def test_settings_change_windows():
    settings = SuggestionSettings(
        depletion_days=10, birthday_days=0, no_visit_days=30, depleted_days=0
    )
    facts = CustomerFacts(
        depletions=[("Tea", days(9)), ("Herb", days(-1))],
        next_birthday=days(1),
        last_visit=days(-30),
    )
    assert kinds(suggest(facts, TODAY, settings)) == [PRODUCT_DEPLETING, NO_VISIT]


def test_year_end_birthday_across_new_year():
    today = date(2026, 12, 29)
    facts = CustomerFacts(next_birthday=date(2027, 1, 2))
    assert suggest(facts, today) == [Suggestion(BIRTHDAY, days=4)]
