"""Synonyms: the owner's list of words shoppers use for what the shop's pages call otherwise.

Each rule is stored as the owner wrote it (``SearchSynonym``); searches read the rules
through ``current()``, which keeps them in each worker's memory for as long as the page
cache's generation is the same. ``search_synonym`` is one of the tables the page cache
watches, so saving a rule makes a new generation: the next search uses the new rules and
no search page cached before the change is served again. No deploy, no restart.

``DEFAULT_SYNONYMS`` is the shop's starting vocabulary, added by the migration that
created the table and by ``flask seed-demo`` when there are no rules yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select

from storefront.audit import services as audit
from storefront.caching import generation_token
from storefront.errors import DomainError
from storefront.extensions import db, read_rows
from storefront.search.models import SearchSynonym, SynonymKind
from storefront.search.plan import MAX_PHRASE_WORDS, Phrase, Synonyms
from storefront.search.query import STOP_WORDS, fold, words_of

MAX_PHRASES = 12
MAX_PHRASE_LENGTH = 60
MAX_LIST_LENGTH = 300
_CACHE = "storefront.search_synonyms"

ONE_WAY, MULTI_WAY = SynonymKind.ONE_WAY, SynonymKind.MULTI_WAY
# (kind, what shoppers type, what it also finds): brand names of medicines, everyday
# words, British and American spellings, abbreviations.
DEFAULT_SYNONYMS: tuple[tuple[SynonymKind, str, str], ...] = (
    (ONE_WAY, "Renova, Retin-A, Retin A, Altreno, Avita", "tretinoin"),
    (ONE_WAY, "Differin", "adapalene"),
    (ONE_WAY, "Epiduo", "adapalene, benzoyl peroxide"),
    (ONE_WAY, "Finacea, Skinoren", "azelaic acid"),
    (ONE_WAY, "Accutane, Roaccutane", "isotretinoin"),
    (ONE_WAY, "sunblock, sun block, sun cream, suncream, sun screen, sun lotion, sunscreen "
              "lotion", "sunscreen"),
    (ONE_WAY, "wrinkles, wrinkle, anti-aging, anti aging, antiaging, anti-ageing, "
              "anti ageing, crow's feet", "fine lines, retinoid, retinol"),
    (ONE_WAY, "chicken skin, KP, bumps on arms", "keratosis pilaris"),
    (ONE_WAY, "pimples, pimple, zits, zit, spots, breakouts, breakout, blemishes, "
              "blemish", "acne"),
    (ONE_WAY, "dark spots, brown spots, age spots, sun spots, sunspots, pigmentation, "
              "dark patches", "hyperpigmentation, dark marks"),
    (ONE_WAY, "red face, red cheeks, flushing, facial redness", "rosacea"),
    (ONE_WAY, "big pores, large pores, open pores", "enlarged pores"),
    (ONE_WAY, "white bumps, milk spots, tiny white bumps", "milia"),
    (ONE_WAY, "flaky skin, dehydrated skin, tight skin", "dry skin"),
    (ONE_WAY, "cracked heels, dry feet, rough feet", "foot cream, urea"),
    (ONE_WAY, "face wash, facial wash, face cleanser, facewash", "cleanser"),
    (ONE_WAY, "exfoliator, scrub", "exfoliant"),
    (ONE_WAY, "face cream", "moisturiser"),
    (ONE_WAY, "vitamin A", "retinol, retinoid, tretinoin"),
    (ONE_WAY, "vitamin B3", "niacinamide"),
    (ONE_WAY, "AHA, AHAs, fruit acid", "alpha hydroxy acid, glycolic acid, lactic acid"),
    (ONE_WAY, "BHA, BHAs", "beta hydroxy acid, salicylic acid"),
    (ONE_WAY, "BPO", "benzoyl peroxide"),
    (ONE_WAY, "HA", "hyaluronic acid"),
    (MULTI_WAY, "vitamin C, vit C, ascorbic acid", ""),
    (MULTI_WAY, "moisturiser, moisturizer", ""),
    (MULTI_WAY, "moisturisers, moisturizers", ""),
    (MULTI_WAY, "moisturising, moisturizing", ""),
    (MULTI_WAY, "SPF 50, SPF50", ""),
    (MULTI_WAY, "SPF 30, SPF30", ""),
    (MULTI_WAY, "sulphate, sulfate", ""),
    (MULTI_WAY, "colour, color", ""),
)


class SynonymInvalid(DomainError):
    """A rule the search could not use; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def phrase_of(text: str) -> Phrase:
    """A phrase as searches compare it: its words, lower case, without accents."""
    return tuple(fold(word) for word in words_of(text))


def split_list(text: str | None) -> list[str]:
    """The phrases of a comma-separated list as written (spaces tidied, blanks dropped)."""
    parts = (" ".join(part.split()) for part in (text or "").replace("\n", ",").split(","))
    return list(dict.fromkeys(part for part in parts if part))


def rules_of(rows) -> Synonyms:
    """What each phrase also finds, from rows of (kind, terms, targets)."""
    rules: dict[Phrase, list[Phrase]] = defaultdict(list)
    for kind, terms, targets in rows:
        sources = [phrase for phrase in map(phrase_of, split_list(terms)) if phrase]
        if kind == SynonymKind.ONE_WAY:
            found = [phrase for phrase in map(phrase_of, split_list(targets)) if phrase]
            for source in sources:
                rules[source] += found
        else:
            for source in sources:
                rules[source] += [other for other in sources if other != source]
    return Synonyms(rules)


# Built once: a statement keeps its cache key, which would otherwise be worked out again.
_RULES = select(SearchSynonym.kind, SearchSynonym.terms, SearchSynonym.targets).order_by(
    SearchSynonym.id)


def load() -> Synonyms:
    """The rules as they are in the database now (one statement, whose plain rows need no
    ORM handling)."""
    return _rules_of_rows(tuple(read_rows(_RULES).all()))


@lru_cache(maxsize=4)
def _rules_of_rows(rows: tuple) -> Synonyms:
    """``rules_of(rows)``, read once per process for the same rows: reading the phrases
    (splitting, folding accents) cost more than the statement. A ``Synonyms`` is never
    changed once made."""
    return rules_of(rows)


def current() -> Synonyms:
    """The rules, read again only when the page cache's generation has changed."""
    token = generation_token()
    cached = current_app.extensions.get(_CACHE)
    if token is not None and cached is not None and cached[0] == token:
        return cached[1]
    rules = load()
    if token is not None:
        current_app.extensions[_CACHE] = (token, rules)
    return rules


# --- Editing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SynonymSettings:
    kind: SynonymKind
    terms: str
    targets: str = ""


def _check_list(text: str, field: str, label: str) -> list[str]:
    phrases = split_list(text)
    if len(phrases) > MAX_PHRASES:
        raise SynonymInvalid(f"Use at most {MAX_PHRASES} {label}, separated by commas.", field)
    for phrase in phrases:
        words = phrase_of(phrase)
        if len(phrase) > MAX_PHRASE_LENGTH or len(words) > MAX_PHRASE_WORDS:
            raise SynonymInvalid(f"“{phrase[:40]}” is too long: use at most "
                                 f"{MAX_PHRASE_WORDS} words per phrase.", field)
        if not words or all(word in STOP_WORDS for word in words):
            raise SynonymInvalid(f"“{phrase[:40]}” has only very common words, which "
                                 "searches leave out. Use a word such as a product, "
                                 "ingredient or skin concern.", field)
    joined = ", ".join(phrases)
    if len(joined) > MAX_LIST_LENGTH:
        raise SynonymInvalid(f"The list is too long: use at most {MAX_LIST_LENGTH} "
                             "characters.", field)
    return phrases


def clean(settings: SynonymSettings) -> SynonymSettings:
    """The settings tidied, or SynonymInvalid saying what to change."""
    terms = _check_list(settings.terms, "terms", "phrases")
    if settings.kind == SynonymKind.MULTI_WAY:
        if len({phrase_of(phrase) for phrase in terms}) < 2:
            raise SynonymInvalid("List at least two words or phrases that mean the same.",
                                 "terms")
        return SynonymSettings(settings.kind, ", ".join(terms), "")
    if not terms:
        raise SynonymInvalid("Enter the words shoppers type.", "terms")
    targets = _check_list(settings.targets, "targets", "phrases")
    targets = [target for target in targets
               if phrase_of(target) not in {phrase_of(term) for term in terms}]
    if not targets:
        raise SynonymInvalid("Enter what these words should also find: a word the shop's "
                             "pages use, different from the words typed.", "targets")
    return SynonymSettings(settings.kind, ", ".join(terms), ", ".join(targets))


def _snapshot(synonym: SearchSynonym) -> dict:
    return audit.snapshot(synonym, ["kind", "terms", "targets"])


def describe(synonym: SearchSynonym) -> str:
    if synonym.kind == SynonymKind.MULTI_WAY:
        return f"{synonym.terms} (all mean the same)"
    return f"{synonym.terms} → {synonym.targets}"


def save(settings: SynonymSettings, synonym: SearchSynonym | None, actor) -> SearchSynonym | None:
    """Create or change a rule (audited; flushes). None when nothing changed."""
    settings = clean(settings)
    before = _snapshot(synonym) if synonym is not None else None
    if synonym is None:
        synonym = SearchSynonym(kind=settings.kind, terms=settings.terms,
                                targets=settings.targets)
        db.session.add(synonym)
    else:
        synonym.kind, synonym.terms, synonym.targets = (settings.kind, settings.terms,
                                                        settings.targets)
    after = _snapshot(synonym)
    if before == after:
        return None
    db.session.flush()
    action = "search_synonym.created" if before is None else "search_synonym.changed"
    audit.record(actor, action, synonym, f"Synonym: {describe(synonym)}", before, after)
    return synonym


def delete(synonym: SearchSynonym, actor) -> None:
    """Remove a rule (audited; flushes)."""
    audit.record(actor, "search_synonym.deleted", synonym,
                 f"Synonym removed: {describe(synonym)}", _snapshot(synonym), None)
    db.session.delete(synonym)
    db.session.flush()


def seed_defaults() -> int:
    """Add the default rules when there are none (flushes); how many were added."""
    if db.session.scalar(select(func.count()).select_from(SearchSynonym)):
        return 0
    for kind, terms, targets in DEFAULT_SYNONYMS:
        db.session.add(SearchSynonym(kind=kind, terms=terms, targets=targets))
    db.session.flush()
    return len(DEFAULT_SYNONYMS)
