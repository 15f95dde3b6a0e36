"""Next actions suggested to the salesperson serving a customer.

The rules take plain dates and figures and return ``Suggestion`` records; the
caller turns each kind into a translated sentence. Days are calendar days
counted from ``today``.
"""

from dataclasses import dataclass, field

# Kinds, in the order a salesperson should deal with them.
OPEN_COMPLAINT = "open_complaint"
FOLLOWUP_DUE = "followup_due"
PRODUCT_DEPLETED = "product_depleted"
PRODUCT_DEPLETING = "product_depleting"
BIRTHDAY = "birthday"
RENEWAL_DUE = "renewal_due"
NO_VISIT = "no_visit"
KIND_ORDER = (
    OPEN_COMPLAINT,
    FOLLOWUP_DUE,
    PRODUCT_DEPLETED,
    PRODUCT_DEPLETING,
    BIRTHDAY,
    RENEWAL_DUE,
    NO_VISIT,
)


@dataclass(frozen=True)
class SuggestionSettings:
    """Day windows of the suggestion rules.

    ``depletion_days``: a product running out within this many days is
    suggested for re-purchase. ``depleted_days``: a product that ran out at most
    this many days ago is still suggested; after that the customer is assumed to
    have stopped using it. ``birthday_days`` and ``renewal_days``: how far
    ahead a birthday or a membership renewal is announced. ``no_visit_days``:
    days without a visit after which the customer should be invited back.
    """

    depletion_days: int = 7
    depleted_days: int = 30
    birthday_days: int = 7
    renewal_days: int = 30
    no_visit_days: int = 60


@dataclass(frozen=True)
class Suggestion:
    """One suggested action.

    ``days`` is the signed number of days from today to the date the
    suggestion is about: positive in the future, negative in the past (for
    ``no_visit``, the days since the last visit, as a positive number).
    ``subject`` names the product for product kinds; ``count`` is the number of
    open complaints for ``open_complaint``.
    """

    kind: str
    days: int = 0
    subject: str = ""
    count: int = 0

    @property
    def sort_key(self):
        return (KIND_ORDER.index(self.kind), self.days, self.subject)


@dataclass
class CustomerFacts:
    """What the rules look at for one customer; every field is optional."""

    # (product, depletion_date) pairs of the products the customer uses.
    depletions: list = field(default_factory=list)
    next_birthday: object = None
    last_visit: object = None
    registration_date: object = None
    open_complaints: int = 0
    next_followup: object = None
    renewal_date: object = None


def suggest(facts, today, settings=None):
    """Return the suggestions for ``facts`` on ``today``, most urgent first."""
    settings = settings or SuggestionSettings()
    suggestions = []
    if facts.open_complaints > 0:
        suggestions.append(Suggestion(OPEN_COMPLAINT, count=facts.open_complaints))
    if facts.next_followup and facts.next_followup <= today:
        suggestions.append(
            Suggestion(FOLLOWUP_DUE, days=(facts.next_followup - today).days)
        )
    suggestions += _product_suggestions(facts.depletions, today, settings)
    if facts.next_birthday:
        days = (facts.next_birthday - today).days
        if 0 <= days <= settings.birthday_days:
            suggestions.append(Suggestion(BIRTHDAY, days=days))
    if facts.renewal_date:
        days = (facts.renewal_date - today).days
        if days <= settings.renewal_days:
            suggestions.append(Suggestion(RENEWAL_DUE, days=days))
    # A customer who never visited counts from the archive registration.
    since = facts.last_visit or facts.registration_date
    if since:
        days = (today - since).days
        if days >= settings.no_visit_days:
            suggestions.append(Suggestion(NO_VISIT, days=days))
    return sorted(suggestions, key=lambda suggestion: suggestion.sort_key)


def _product_suggestions(depletions, today, settings):
    """Return one suggestion per product, from its latest depletion date."""
    latest = {}
    for product, depletion_date in depletions:
        if not product or not depletion_date:
            continue
        if product not in latest or depletion_date > latest[product]:
            latest[product] = depletion_date
    suggestions = []
    for product, depletion_date in latest.items():
        days = (depletion_date - today).days
        if 0 <= days <= settings.depletion_days:
            suggestions.append(Suggestion(PRODUCT_DEPLETING, days, product))
        elif -settings.depleted_days <= days < 0:
            suggestions.append(Suggestion(PRODUCT_DEPLETED, days, product))
    return suggestions
