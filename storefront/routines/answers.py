"""The routine's questions and the answers to them, read from a query string or a form.

The answers are the routine's address: ``/routine?concern=acne&concern=milia&skin=oily&
steps=essential`` always shows the same routine (as stock and recommendations stand), so it
can be shared and saved. Nothing in it names a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from storefront.catalog.models import SkinType

# The query parameters the routine's page reads; the repeated ones take every value.
SINGLE_ARGS = ("budget", "skin", "steps")
LIST_ARGS = ("concern", "sensitivity")
MAX_CONCERNS = 3
SENSITIVE, PREGNANT, RX_RETINOID = "sensitive", "pregnant", "rx-retinoid"
SENSITIVITIES = {
    SENSITIVE: "My skin is sensitive: it stings, flushes or reacts easily",
    PREGNANT: "I'm pregnant, breastfeeding or trying for a baby",
    RX_RETINOID: "I already use a prescription retinoid, such as tretinoin",
}
ESSENTIAL, COMPLETE = "essential", "complete"
STEP_CHOICES = {
    ESSENTIAL: ("Essential", "The fewest products that cover your concerns."),
    COMPLETE: ("Complete", "A second treatment where it helps, up to three actives."),
}
BUDGETS = (60, 100, 150)  # in the shop's currency, for the whole routine


@dataclass(frozen=True)
class Answers:
    """Everything the routine is built from. ``concerns`` are condition slugs in the
    shop's order of conditions, so the same answers always make the same address."""

    skin: SkinType
    concerns: tuple[str, ...]
    sensitivities: frozenset[str] = frozenset()
    steps: str = ESSENTIAL
    budget: int | None = None

    @property
    def complete(self) -> bool:
        return self.steps == COMPLETE

    @property
    def sensitive(self) -> bool:
        return SENSITIVE in self.sensitivities or self.skin == SkinType.SENSITIVE

    @property
    def pregnant(self) -> bool:
        return PREGNANT in self.sensitivities

    @property
    def uses_rx_retinoid(self) -> bool:
        return RX_RETINOID in self.sensitivities

    @property
    def budget_amount(self) -> Decimal | None:
        return Decimal(self.budget) if self.budget is not None else None

    def pairs(self) -> list[tuple[str, str]]:
        """The answers as query parameters, sorted as the page cache sorts them."""
        pairs = [("skin", self.skin.value), ("steps", self.steps)]
        pairs += [("concern", slug) for slug in self.concerns]
        pairs += [("sensitivity", value) for value in sorted(self.sensitivities)]
        if self.budget is not None:
            pairs.append(("budget", str(self.budget)))
        return sorted(pairs)

    def query_string(self) -> str:
        return urlencode(self.pairs())

    def url_values(self) -> dict[str, Any]:
        """For ``url_for`` (Any: its own keywords are typed): repeated parameters as lists."""
        values: dict[str, Any] = {}
        for name, value in self.pairs():
            if name in LIST_ARGS:
                values.setdefault(name, []).append(value)
            else:
                values[name] = value
        return values

    @property
    def attribution(self) -> str:
        """What a cart line remembers of the routine it came from: its concerns only."""
        return "+".join(self.concerns)


@dataclass
class AnswerProblems(Exception):
    """Answers that cannot make a routine; one sentence per question, by parameter name."""

    problems: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return " ".join(self.problems.values())


def has_answers(args) -> bool:
    """True when the questions were sent (the form always sends the number of steps); a
    link that only names a concern (from a condition page) just ticks it in the form."""
    return "steps" in args or "skin" in args


def _one(args, name: str) -> str:
    value = args.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _skin(args, problems: dict[str, str]) -> SkinType | None:
    value = _one(args, "skin")
    try:
        return SkinType(value)
    except ValueError:
        problems["skin"] = "Choose your skin type."
        return None


def _concerns(args, order: dict[str, int], problems: dict[str, str]) -> tuple[str, ...]:
    chosen = {value.strip() for value in args.getlist("concern") if value.strip()}
    unknown = chosen - order.keys()
    if unknown:
        problems["concern"] = ("We don't have a page on one of those concerns. Choose from "
                               "the list.")
    elif not chosen:
        problems["concern"] = "Choose at least one concern."
    elif len(chosen) > MAX_CONCERNS:
        problems["concern"] = (f"Choose up to {MAX_CONCERNS} concerns: a routine that treats "
                               "more at once irritates more than it helps.")
    return tuple(sorted(chosen & order.keys(), key=lambda slug: (order[slug], slug)))


def _sensitivities(args, problems: dict[str, str]) -> frozenset[str]:
    chosen = {value.strip() for value in args.getlist("sensitivity") if value.strip()}
    if chosen - SENSITIVITIES.keys():
        problems["sensitivity"] = "Tick only the sensitivities in the list."
    return frozenset(chosen & SENSITIVITIES.keys())


def _steps(args, problems: dict[str, str]) -> str:
    value = _one(args, "steps") or ESSENTIAL
    if value not in STEP_CHOICES:
        problems["steps"] = "Choose an essential or a complete routine."
        return ESSENTIAL
    return value


def _budget(args, problems: dict[str, str]) -> int | None:
    value = _one(args, "budget")
    if not value:
        return None
    if value not in {str(amount) for amount in BUDGETS}:
        problems["budget"] = "Choose one of the budgets in the list, or none."
        return None
    return int(value)


def read_answers(args, condition_order: dict[str, int]) -> Answers:
    """The answers in ``args`` (a query string's or a form's MultiDict), else AnswerProblems.

    ``condition_order`` maps each condition's slug to its place in the shop's list.
    """
    problems: dict[str, str] = {}
    skin = _skin(args, problems)
    concerns = _concerns(args, condition_order, problems)
    sensitivities = _sensitivities(args, problems)
    steps = _steps(args, problems)
    budget = _budget(args, problems)
    if problems:
        raise AnswerProblems(problems)
    assert skin is not None  # _skin notes a problem when it reads none
    return Answers(skin=skin, concerns=concerns, sensitivities=sensitivities, steps=steps,
                   budget=budget)


def ticked(args, condition_order: dict[str, int]) -> dict[str, object]:
    """What the form shows as chosen for ``args``, even when they are not all valid."""
    concerns = [value for value in args.getlist("concern") if value in condition_order]
    sensitivities = [value for value in args.getlist("sensitivity") if value in SENSITIVITIES]
    return {"skin": _one(args, "skin"), "concerns": set(concerns[:20]),
            "sensitivities": set(sensitivities), "steps": _one(args, "steps") or ESSENTIAL,
            "budget": _one(args, "budget")}
