"""Realistic searches on the demo shop (``flask seed-demo``), with the pages each must find.

Each query names, per kind of result, the pages of which at least one must be among the
first three of that kind on the results page ("any of these sunscreens"). Pages are named
by slug, chosen to outlive changes to the demo catalog: no expectation rests on the house
brand alone. ``tests/search/test_labelled.py`` runs them and asks for 95 % on each backend.

Kinds of query: medicine brand names, misspellings, everyday words (synonyms), British
and American spellings, abbreviations, conditions in plain words, multi-word phrases and
exact names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUNSCREENS = ("tinted-mineral-sunscreen-spf30", "oil-control-fluid-spf50",
              "mineral-sunscreen-spf50", "family-body-sunscreen-spf30")
SPF50 = ("oil-control-fluid-spf50", "mineral-sunscreen-spf50")
SPF30 = ("tinted-mineral-sunscreen-spf30", "family-body-sunscreen-spf30")
RETINOIDS = ("retinol-night-serum", "retinol-starter-serum", "tretinoin-cream", "adapalene-gel")
RETINOLS = ("retinol-night-serum", "retinol-starter-serum")
MOISTURISERS = ("lightweight-gel-moisturiser", "vitamin-c-brightening-moisturiser",
                "ceramide-barrier-cream", "urea-repair-cream", "rich-recovery-night-cream")
CLEANSERS = ("gentle-cream-cleanser", "salicylic-acid-cleanser", "benzoyl-peroxide-wash",
             "balancing-gel-cleanser", "oat-cleansing-balm")
VITAMIN_C = ("vitamin-c-serum", "vitamin-c-brightening-moisturiser")
BPO = ("benzoyl-peroxide-wash", "benzoyl-peroxide-spot-gel")
SALICYLIC = ("salicylic-acid-cleanser", "bha-liquid-exfoliant")
GLYCOLIC = ("glycolic-exfoliating-toner", "glycolic-body-lotion")
LACTIC = ("lactic-acid-body-lotion", "lactic-acid-gentle-peel")
AHAS = GLYCOLIC + LACTIC
CERAMIDES = ("ceramide-barrier-cream", "ceramide-eye-cream", "gentle-cream-cleanser",
             "oat-cleansing-balm", "rich-recovery-night-cream", "retinol-starter-serum")
UREA = ("urea-repair-cream", "urea-foot-cream")
EXFOLIANTS = ("bha-liquid-exfoliant", "glycolic-exfoliating-toner", "lactic-acid-gentle-peel",
              "glycolic-body-lotion")
KP_ARTICLE = ("rough-bumps-on-upper-arms",)


@dataclass(frozen=True)
class Labelled:
    query: str
    kind: str  # which sort of query this is, for the report
    products: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    note: str = field(default="", compare=False)

    def expected(self) -> dict[str, tuple[str, ...]]:
        wanted = {"products": self.products, "articles": self.articles,
                  "conditions": self.conditions}
        return {section: slugs for section, slugs in wanted.items() if slugs}


def q(query: str, kind: str, **expected) -> Labelled:
    return Labelled(query, kind, **expected)


BRAND, TYPO, EVERYDAY, SPELLING, ABBREVIATION, CONDITION, PHRASE, EXACT = (
    "medicine brand", "misspelling", "everyday word", "spelling variant", "abbreviation",
    "condition in plain words", "multi-word phrase", "exact name")

LABELLED: tuple[Labelled, ...] = (
    # Medicine brand names, through synonyms.
    q("Renova", BRAND, products=("tretinoin-cream",)),
    q("renova cream", BRAND, products=("tretinoin-cream",)),
    q("Retin-A", BRAND, products=("tretinoin-cream",)),
    q("retin a", BRAND, products=("tretinoin-cream",)),
    q("Retin-A cream", BRAND, products=("tretinoin-cream",)),
    q("Differin", BRAND, products=("adapalene-gel",)),
    q("differin gel", BRAND, products=("adapalene-gel",)),
    q("Epiduo", BRAND, products=("adapalene-gel",)),
    q("Finacea", BRAND, products=("azelaic-acid-cream",)),
    q("Skinoren cream", BRAND, products=("azelaic-acid-cream",)),
    q("accutane", BRAND, articles=("a-simple-routine-for-acne-prone-skin",)),
    # Misspellings.
    q("niacinimide", TYPO, products=("niacinamide-serum",)),
    q("naicinamide", TYPO, products=("niacinamide-serum",)),
    q("niacinamid serum", TYPO, products=("niacinamide-serum",)),
    q("tretinon", TYPO, products=("tretinoin-cream",)),
    q("tretonin cream", TYPO, products=("tretinoin-cream",)),
    q("adaplene", TYPO, products=("adapalene-gel",)),
    q("adapelene gel", TYPO, products=("adapalene-gel",)),
    q("retinoll", TYPO, products=RETINOLS),
    q("retnol serum", TYPO, products=RETINOLS),
    q("hyaluronik acid", TYPO, products=("hyaluronic-hydrating-serum",)),
    q("hyularonic serum", TYPO, products=("hyaluronic-hydrating-serum",)),
    q("salicilic acid", TYPO, products=SALICYLIC),
    q("salycilic cleanser", TYPO, products=("salicylic-acid-cleanser",)),
    q("glycollic toner", TYPO, products=("glycolic-exfoliating-toner",)),
    q("azelic acid", TYPO, products=("azelaic-acid-cream",)),
    q("benzoil peroxide", TYPO, products=BPO),
    q("benzyl peroxide wash", TYPO, products=("benzoyl-peroxide-wash",)),
    q("seramide cream", TYPO, products=CERAMIDES),
    q("sunscren", TYPO, products=SUNSCREENS),
    q("suncreen spf 50", TYPO, products=SPF50),
    q("moisturzer", TYPO, products=MOISTURISERS),
    q("clenser", TYPO, products=CLEANSERS),
    q("rosacia", TYPO, conditions=("rosacea",)),
    q("milea", TYPO, conditions=("milia",)),
    q("acen", TYPO, conditions=("acne",)),
    q("hyperpigmentaton", TYPO, conditions=("hyperpigmentation",)),
    q("keratosis pilarus", TYPO, articles=KP_ARTICLE),
    q("vitamine c", TYPO, products=VITAMIN_C),
    q("exfoliater", TYPO, products=EXFOLIANTS),
    # Everyday words, through synonyms.
    q("sunblock", EVERYDAY, products=SUNSCREENS),
    q("sun block", EVERYDAY, products=SUNSCREENS),
    q("sun cream", EVERYDAY, products=SUNSCREENS),
    q("suncream for kids", EVERYDAY, products=SUNSCREENS),
    q("wrinkles", EVERYDAY, conditions=("fine-lines",), products=RETINOIDS),
    q("anti aging", EVERYDAY, conditions=("fine-lines",), products=RETINOIDS),
    q("anti-ageing serum", EVERYDAY, products=RETINOLS),
    q("chicken skin", EVERYDAY, articles=KP_ARTICLE, products=("lactic-acid-body-lotion",)),
    q("pimples", EVERYDAY, conditions=("acne",)),
    q("zits", EVERYDAY, conditions=("acne",)),
    q("spots on face", EVERYDAY, conditions=("acne",)),
    q("breakouts", EVERYDAY, conditions=("acne",)),
    q("face wash", EVERYDAY, products=CLEANSERS),
    q("exfoliator", EVERYDAY, products=EXFOLIANTS),
    q("age spots", EVERYDAY, conditions=("hyperpigmentation", "sun-damage")),
    q("brown spots", EVERYDAY, conditions=("hyperpigmentation",)),
    q("red face", EVERYDAY, conditions=("rosacea",)),
    q("big pores", EVERYDAY, conditions=("enlarged-pores",)),
    q("cracked heels", EVERYDAY, products=UREA),
    q("flaky skin", EVERYDAY, conditions=("dry-skin",)),
    # British and American spellings.
    q("moisturizer", SPELLING, products=MOISTURISERS),
    q("moisturiser", SPELLING, products=MOISTURISERS),
    q("gel moisturizer", SPELLING, products=("lightweight-gel-moisturiser",)),
    q("moisturizing cream", SPELLING, products=MOISTURISERS),
    q("sulphate free cleanser", SPELLING, products=("gentle-cream-cleanser",)),
    q("color correcting", SPELLING, conditions=("hyperpigmentation", "rosacea")),
    # Abbreviations.
    q("AHA", ABBREVIATION, products=AHAS),
    q("BHA", ABBREVIATION, products=SALICYLIC),
    q("BHA exfoliant", ABBREVIATION, products=("bha-liquid-exfoliant",)),
    q("BPO", ABBREVIATION, products=BPO),
    q("vit c", ABBREVIATION, products=VITAMIN_C),
    q("vit. C serum", ABBREVIATION, products=("vitamin-c-serum",
                                               "vitamin-c-brightening-moisturiser")),
    q("SPF 50", ABBREVIATION, products=SPF50),
    q("SPF50", ABBREVIATION, products=SPF50),
    q("spf30", ABBREVIATION, products=SPF30),
    q("KP", ABBREVIATION, articles=KP_ARTICLE),
    q("vitamin A", ABBREVIATION, products=RETINOIDS),
    q("vitamin b3", ABBREVIATION, products=("niacinamide-serum",)),
    q("HA serum", ABBREVIATION, products=("hyaluronic-hydrating-serum",)),
    # Conditions in plain words.
    q("white bumps under eyes", CONDITION, conditions=("milia",)),
    q("rough bumps on arms", CONDITION, articles=KP_ARTICLE),
    q("dark spots", CONDITION, conditions=("hyperpigmentation",)),
    q("dark marks after acne", CONDITION, conditions=("hyperpigmentation",)),
    q("redness", CONDITION, conditions=("rosacea",)),
    q("dry skin", CONDITION, conditions=("dry-skin",)),
    q("large pores", CONDITION, conditions=("enlarged-pores",)),
    q("blackheads", CONDITION, products=SALICYLIC),
    q("sun damaged skin", CONDITION, conditions=("sun-damage",)),
    q("moles", CONDITION, articles=("moles-lumps-and-bumps",)),
    q("fine lines", CONDITION, conditions=("fine-lines",), products=RETINOIDS),
    # Multi-word phrases.
    q("what causes milia", PHRASE, articles=("what-causes-milia",)),
    q("retinol or tretinoin", PHRASE, articles=("retinol-or-tretinoin",)),
    q("is adapalene worth it", PHRASE, articles=("is-adapalene-worth-trying-for-acne",)),
    q("sunscreen every day", PHRASE, articles=("sunscreen-every-day",)),
    q("why is my skin so dry in winter", PHRASE,
      articles=("why-is-my-skin-so-dry-in-winter",)),
    q("can I make my pores smaller", PHRASE, articles=("can-i-make-my-pores-smaller",)),
    q("moles lumps and bumps", PHRASE, articles=("moles-lumps-and-bumps",)),
    q("dark spots keep coming back", PHRASE, articles=("why-do-dark-spots-come-back",)),
    q("routine for acne prone skin", PHRASE,
      articles=("a-simple-routine-for-acne-prone-skin",)),
    q("sunscreen for sensitive skin", PHRASE, products=("tinted-mineral-sunscreen-spf30",
                                                       "mineral-sunscreen-spf50")),
    q("sunscreen for oily skin", PHRASE, products=("oil-control-fluid-spf50",)),
    q("retinol for beginners", PHRASE, products=RETINOLS),
    q("gentle cleanser for dry skin", PHRASE, products=("gentle-cream-cleanser",
                                                        "oat-cleansing-balm")),
    q("treatment for rosacea", PHRASE, articles=("calming-rosacea",)),
    q("benzoyl peroxide 2.5", PHRASE, products=("benzoyl-peroxide-spot-gel",)),
    q("retinol 0.3%", PHRASE, products=("retinol-night-serum",)),
    # Exact names.
    q("niacinamide", EXACT, products=("niacinamide-serum",)),
    q("tretinoin", EXACT, products=("tretinoin-cream",)),
    q("adapalene", EXACT, products=("adapalene-gel",)),
    q("azelaic acid", EXACT, products=("azelaic-acid-cream",)),
    q("zinc oxide", EXACT, products=SUNSCREENS),
    q("Lactic Acid 12% Body Lotion", EXACT, products=("lactic-acid-body-lotion",)),
    q("Urea 25% Foot Cream", EXACT, products=("urea-foot-cream",)),
    q("oat cleansing balm", EXACT, products=("oat-cleansing-balm",)),
    q("milia", EXACT, conditions=("milia",), articles=("what-causes-milia",)),
    q("rosacea", EXACT, conditions=("rosacea",), products=("azelaic-acid-cream",)),
    q("keratosis pilaris", EXACT, articles=KP_ARTICLE, products=("lactic-acid-body-lotion",)),
)

# Queries of today's catalog with one right first product. Recorded on both backends
# before synonyms, spelling and the new ranking were added; each must keep its first.
EXACT_FIRST_PRODUCT: dict[str, str] = {
    "retinol": "retinol-night-serum",
    "tretinoin": "tretinoin-cream",
    "adapalene": "adapalene-gel",
    "niacinamide": "niacinamide-serum",
    "azelaic acid": "azelaic-acid-cream",
    "salicylic acid": "salicylic-acid-cleanser",
    "benzoyl peroxide": "benzoyl-peroxide-spot-gel",
    "zinc oxide": "mineral-sunscreen-spf50",
    "niacinamide serum": "niacinamide-serum",
    "retinol serum": "retinol-night-serum",
    "eye cream": "ceramide-eye-cream",
    "foot cream": "urea-foot-cream",
    "night cream": "rich-recovery-night-cream",
    "oat cleansing balm": "oat-cleansing-balm",
    "tinted sunscreen": "tinted-mineral-sunscreen-spf30",
    "bha": "bha-liquid-exfoliant",
    "toner": "glycolic-exfoliating-toner",
    "keratosis pilaris": "lactic-acid-body-lotion",
    "enlarged pores": "bha-liquid-exfoliant",
    "marlow clinical": "benzoyl-peroxide-spot-gel",
    "sun damage": "tretinoin-cream",
    "dark marks": "vitamin-c-serum",
    "spf 30": "tinted-mineral-sunscreen-spf30",
    "spf 50": "oil-control-fluid-spf50",
    "mineral sunscreen": "tinted-mineral-sunscreen-spf30",
    "sunscreen": "tinted-mineral-sunscreen-spf30",
    "vitamin c": "vitamin-c-brightening-moisturiser",
}
