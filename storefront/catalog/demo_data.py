"""The demo shop's catalog: invented brands and products with realistic details.

Prices are in euros. Stock figures are chosen so that the demo shows every state: most
products in stock, a few running low, a few sold out. No brand has a financial tie to the
shop (no house brand, no paid partnership, no affiliate deal), as the doctor promises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storefront.catalog.models import SkinType

ALL_SKIN = tuple(SkinType)
DRY, OILY, NORMAL = SkinType.DRY, SkinType.OILY, SkinType.NORMAL
COMBI, SENSITIVE = SkinType.COMBINATION, SkinType.SENSITIVE

CATEGORIES = [
    ("cleansers", "Cleansers", "Wash away the day without stripping the skin."),
    ("serums", "Serums", "Concentrated actives for one job each."),
    ("moisturisers", "Moisturisers", "Creams and lotions that keep the skin barrier comfortable."),
    ("sunscreen", "Sunscreen", "Broad-spectrum protection for every day of the year."),
    ("treatments", "Treatments", "Targeted products for acne, rosacea and rough skin."),
    ("exfoliants", "Exfoliants", "Acids that smooth and clear, used a few times a week."),
]

BRANDS = [
    ("tidewell", "Tidewell", "Mineral sunscreens for faces and families, made for skin "
     "that reacts to chemical filters."),
    ("brightwater-derm", "Brightwater Derm",
     "Fragrance-free actives at clear, stated strengths."),
    ("quiet-fern", "Quiet Fern", "Gentle textures for reactive and sensitive skin."),
    ("marlow-clinical", "Marlow Clinical",
     "Pharmacy treatments for acne, rosacea and dry skin conditions."),
]

# (slug, name, family, summary): products whose key ingredients share a family do the same
# job, which ranks the alternatives offered for a prescription medicine.
INGREDIENTS = [
    ("retinol", "Retinol", "retinoid",
     "A form of vitamin A that the skin turns into retinoic acid. It speeds up cell renewal, "
     "softens fine lines and keeps pores clear, but start slowly: it can sting and flake."),
    ("adapalene", "Adapalene", "retinoid",
     "A retinoid made for acne. At 0.1% it is sold without prescription and unblocks pores "
     "while calming inflamed spots; some dryness in the first weeks is normal."),
    ("tretinoin", "Tretinoin", "retinoid",
     "Retinoic acid itself, the best-studied retinoid for acne and sun-damaged skin. It is "
     "prescription-only because it is strong and must not be used in pregnancy."),
    ("niacinamide", "Niacinamide", "vitamin B3",
     "Vitamin B3. It supports the skin barrier, tones down redness and evens blotchy "
     "colour, and nearly every skin type tolerates it."),
    ("glycolic-acid", "Glycolic acid", "alpha hydroxy acid",
     "The smallest alpha hydroxy acid, so it works quickly: it loosens dead cells for "
     "smoother, brighter skin. It makes skin more sensitive to sun."),
    ("salicylic-acid", "Salicylic acid", "beta hydroxy acid",
     "A beta hydroxy acid that dissolves in oil and so works inside the pore. Useful for "
     "blackheads and oily, spot-prone skin."),
    ("benzoyl-peroxide", "Benzoyl peroxide", "antibacterial",
     "Kills the bacteria behind inflamed acne without breeding resistance. It bleaches "
     "fabric, so use white towels and pillowcases."),
    ("vitamin-c", "Vitamin C", "antioxidant",
     "An antioxidant that helps defend skin against daylight damage and slowly fades dark "
     "marks. It works best under sunscreen in the morning."),
    ("zinc-oxide", "Zinc oxide", "mineral UV filter",
     "A mineral UV filter that blocks both UVA and UVB. It rarely irritates, which makes it "
     "a good choice for sensitive skin and children."),
    ("azelaic-acid", "Azelaic acid", "azelaic acid",
     "Calms the redness and bumps of rosacea, helps acne and lightens dark marks. One of "
     "the few actives considered safe in pregnancy."),
    ("ceramides", "Ceramides", "barrier lipid",
     "Lipids that make up much of the skin's outer barrier. Putting them back helps dry or "
     "irritated skin hold on to its water."),
    ("hyaluronic-acid", "Hyaluronic acid", "humectant",
     "A sugar that binds water in the upper layers of the skin, so it feels plumper and "
     "more comfortable. It neither exfoliates nor irritates."),
    ("urea", "Urea", "humectant",
     "Part of the skin's own moisturising factor. Low strengths hydrate; from 10% it also "
     "softens rough, thickened skin on heels, elbows and shins."),
    ("lactic-acid", "Lactic acid", "alpha hydroxy acid",
     "A mild alpha hydroxy acid that exfoliates and hydrates at once. It suits rough, "
     "bumpy skin on the arms and legs."),
]


@dataclass(frozen=True)
class Size:
    label: str
    price: str
    stock: int
    compare_at: str | None = None

    @property
    def amount(self) -> Decimal:
        return Decimal(self.price)

    @property
    def compare_amount(self) -> Decimal | None:
        return Decimal(self.compare_at) if self.compare_at else None


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    name: str
    label: str  # the short name printed on the pack in the picture
    brand: str
    category: str
    shape: str  # dropper, pump, tube, jar or bottle
    colour: tuple[int, int, int]
    key_ingredients: tuple[str, ...]
    skin_types: tuple[SkinType, ...]
    sizes: tuple[Size, ...]
    short_description: str
    description: str
    how_to_use: str
    ingredients_list: str
    featured_rank: int | None = None
    prescription_only: bool = False
    brand_names: str = ""  # what a prescription medicine is sold as

    @property
    def sku_stem(self) -> str:
        return "HS-" + "".join(word[0] for word in self.slug.split("-")).upper()


def _sizes(*sizes: tuple) -> tuple[Size, ...]:
    return tuple(Size(*size) for size in sizes)


PRODUCTS = [
    DemoProduct(
        "gentle-cream-cleanser", "Gentle Cream Cleanser", "Cream\nCleanser",
        "quiet-fern", "cleansers", "tube", (196, 170, 140), ("ceramides",),
        (DRY, SENSITIVE, NORMAL),
        _sizes(("150 ml", "14.50", 48), ("400 ml", "29.00", 22)),
        "A soft, non-foaming cream wash that leaves dry and sensitive skin comfortable.",
        "Made for skin that feels tight after washing. The lotion-like cream lifts "
        "sunscreen and make-up while ceramides and glycerin stay behind on the skin.\n"
        "No fragrance, no sulfates and no essential oils.",
        "Massage a small amount onto damp skin for 30 seconds, morning and evening.\n"
        "Rinse with lukewarm water, or wipe off with a soft damp cloth.",
        "Aqua, Glycerin, Cetearyl Alcohol, Caprylic/Capric Triglyceride, Glyceryl Stearate, "
        "Ceramide NP, Ceramide AP, Ceramide EOP, Phytosphingosine, Cholesterol, "
        "Sodium Lauroyl Lactylate, Carbomer, Xanthan Gum, Phenoxyethanol, Ethylhexylglycerin",
        featured_rank=9,
    ),
    DemoProduct(
        "salicylic-acid-cleanser", "Salicylic Acid 2% Clarifying Cleanser", "BHA\nCleanser",
        "brightwater-derm", "cleansers", "pump", (92, 150, 170), ("salicylic-acid",),
        (OILY, COMBI),
        _sizes(("200 ml", "16.90", 35)),
        "A light gel wash with 2% salicylic acid for blackheads and oily, spot-prone skin.",
        "The acid dissolves in the oil inside pores, so regular use keeps them clearer. "
        "The gel foams lightly and rinses clean without leaving skin squeaky.",
        "Use once a day to start, in the evening. Leave the lather on for a minute, then "
        "rinse.\nIf your skin stays calm after two weeks, use it morning and evening.",
        "Aqua, Sodium Cocoyl Glycinate, Coco-Betaine, Glycerin, Salicylic Acid, "
        "Sodium Hydroxide, Panthenol, Allantoin, Citric Acid, Sodium Benzoate, "
        "Potassium Sorbate",
        featured_rank=6,
    ),
    DemoProduct(
        "benzoyl-peroxide-wash", "Benzoyl Peroxide 5% Acne Wash", "BPO 5%\nWash",
        "marlow-clinical", "cleansers", "tube", (214, 96, 72), ("benzoyl-peroxide",),
        (OILY, COMBI),
        _sizes(("150 ml", "15.50", 3)),
        "A short-contact wash that clears inflamed spots on the face, chest and back.",
        "Benzoyl peroxide reaches the bacteria behind red, tender spots. Used as a wash it "
        "works with less dryness than a leave-on gel, which suits the chest and back.",
        "Apply to wet skin, leave on for one to two minutes, then rinse well.\n"
        "Start every other day. It bleaches fabric: use white towels.",
        "Aqua, Benzoyl Peroxide, Sodium C14-16 Olefin Sulfonate, Glycerin, "
        "Cocamidopropyl Betaine, Carbomer, Sodium Hydroxide, Disodium EDTA",
    ),
    DemoProduct(
        "balancing-gel-cleanser", "Balancing Foaming Gel Cleanser", "Gel\nCleanser",
        "quiet-fern", "cleansers", "pump", (126, 170, 132), ("niacinamide",),
        (OILY, COMBI, NORMAL),
        _sizes(("200 ml", "12.90", 60)),
        "A gentle foaming gel that removes oil without leaving the skin tight.",
        "A mild amino-acid surfactant base with 2% niacinamide. It suits a morning wash for "
        "combination skin and a second cleanse in the evening.",
        "Work a pea-sized amount into a lather with water, massage over the face and "
        "rinse.",
        "Aqua, Sodium Cocoyl Glutamate, Glycerin, Niacinamide, Decyl Glucoside, "
        "Panthenol, Sodium Chloride, Citric Acid, Sodium Benzoate",
    ),
    DemoProduct(
        "oat-cleansing-balm", "Oat Cleansing Balm", "Cleansing\nBalm",
        "quiet-fern", "cleansers", "jar", (222, 196, 150), ("ceramides",),
        (DRY, SENSITIVE, NORMAL),
        _sizes(("100 ml", "18.50", 0)),
        "A balm that melts into an oil and dissolves long-wear sunscreen and make-up.",
        "Colloidal oat and ceramides soothe while the balm breaks down waterproof "
        "products. It rinses off as a milk and leaves no greasy film.",
        "Scoop a little with dry fingers, massage over dry skin, then add water to turn it "
        "milky and rinse.\nFollow with your usual cleanser if you like a double cleanse.",
        "Caprylic/Capric Triglyceride, Polyglyceryl-4 Oleate, Helianthus Annuus Seed Oil, "
        "Avena Sativa Kernel Flour, Ceramide NP, Cholesterol, Tocopherol",
    ),
    DemoProduct(
        "retinol-night-serum", "Retinol 0.3% Night Serum", "Retinol\n0.3%",
        "brightwater-derm", "serums", "dropper", (168, 102, 48), ("retinol",),
        (NORMAL, COMBI, OILY),
        _sizes(("30 ml", "32.00", 40, "38.00"), ("50 ml", "46.00", 18)),
        "An evening retinol serum for fine lines, uneven texture and clogged pores.",
        "0.3% encapsulated retinol in a squalane base, a strength most people can build up "
        "to. It is packed in an airless amber bottle so the retinol stays stable.",
        "Evenings only: two to three drops on dry skin after cleansing, twice a week at "
        "first, then more often as your skin allows.\n"
        "Use sunscreen every morning. Not for use in pregnancy.",
        "Squalane, Caprylic/Capric Triglyceride, Aqua, Glycerin, Retinol, Polysorbate 20, "
        "Bisabolol, Tocopherol, BHT, Phenoxyethanol",
        featured_rank=1,
    ),
    DemoProduct(
        "retinol-starter-serum", "Retinol 0.1% Starter Serum", "Retinol\n0.1%",
        "quiet-fern", "serums", "dropper", (204, 150, 96), ("retinol", "ceramides"),
        (SENSITIVE, DRY, NORMAL),
        _sizes(("30 ml", "24.00", 26)),
        "A low-strength retinol for first-timers and sensitive skin.",
        "0.1% retinol with ceramides to cushion the start. Good for getting used to a "
        "retinoid before moving on to a stronger one.",
        "Evenings, two or three times a week at first, on dry skin.\n"
        "Moisturise afterwards and wear sunscreen by day.",
        "Aqua, Glycerin, Squalane, Retinol, Ceramide NP, Ceramide AP, Cholesterol, "
        "Sodium Hyaluronate, Carbomer, Tocopherol, Phenoxyethanol",
    ),
    DemoProduct(
        "niacinamide-serum", "Niacinamide 10% Serum", "Niacin-\namide 10%",
        "brightwater-derm", "serums", "dropper", (120, 140, 190), ("niacinamide",),
        ALL_SKIN,
        _sizes(("30 ml", "19.50", 55)),
        "A water-light serum that calms redness, evens tone and refines the look of pores.",
        "10% niacinamide with 1% zinc PCA. It layers under any moisturiser and combines "
        "well with retinoids and acids.",
        "Morning and/or evening, a few drops on clean skin before moisturiser.",
        "Aqua, Niacinamide, Pentylene Glycol, Zinc PCA, Tamarindus Indica Seed Gum, "
        "Xanthan Gum, Isoceteth-20, Ethoxydiglycol, Phenoxyethanol, Chlorphenesin",
        featured_rank=4,
    ),
    DemoProduct(
        "vitamin-c-serum", "Vitamin C 15% Day Serum", "Vitamin C\n15%",
        "brightwater-derm", "serums", "dropper", (232, 160, 48), ("vitamin-c",),
        (NORMAL, COMBI, DRY),
        _sizes(("30 ml", "36.00", 4, "42.00")),
        "A morning antioxidant serum that brightens and fades dark marks over time.",
        "15% L-ascorbic acid with vitamin E and ferulic acid, in a dark bottle to slow "
        "oxidation. Expect a faint tingle for the first few uses.",
        "Every morning, three drops on dry skin, then moisturiser and sunscreen.\n"
        "Keep the cap closed; if the serum turns dark brown, replace it.",
        "Aqua, Ethoxydiglycol, Ascorbic Acid, Propylene Glycol, Glycerin, Laureth-23, "
        "Tocopherol, Ferulic Acid, Triethanolamine, Sodium Hyaluronate, Phenoxyethanol",
        featured_rank=5,
    ),
    DemoProduct(
        "hyaluronic-hydrating-serum", "Hyaluronic Hydrating Serum", "Hyaluronic\nSerum",
        "quiet-fern", "serums", "dropper", (110, 170, 200), ("hyaluronic-acid",),
        ALL_SKIN,
        _sizes(("30 ml", "17.90", 70), ("100 ml", "39.00", 12)),
        "A fragrance-free hydrating serum for dehydrated, tight-feeling skin.",
        "Three sizes of hyaluronic acid molecule with panthenol. It gives an instant "
        "feeling of comfort and works under any routine.",
        "Pat onto damp skin morning and evening, then seal in with a moisturiser.",
        "Aqua, Glycerin, Sodium Hyaluronate, Hydrolyzed Hyaluronic Acid, "
        "Sodium Hyaluronate Crosspolymer, Panthenol, Pentylene Glycol, Phenoxyethanol",
    ),
    DemoProduct(
        "azelaic-acid-cream", "Azelaic Acid 10% Cream", "Azelaic\n10%",
        "marlow-clinical", "treatments", "tube", (186, 120, 150), ("azelaic-acid",),
        (SENSITIVE, COMBI, OILY),
        _sizes(("30 ml", "24.50", 30)),
        "A soothing cream for the redness and bumps of rosacea and for acne marks.",
        "10% azelaic acid in a light, non-greasy cream. It calms inflamed bumps, helps "
        "with spots and slowly lightens the brown marks they leave.",
        "Twice a day on clean, dry skin, a thin layer over the whole area.\n"
        "A mild sting for the first days is common and fades.",
        "Aqua, Azelaic Acid, Propylene Glycol, Cetearyl Alcohol, Dimethicone, Glycerin, "
        "Polysorbate 80, Carbomer, Sodium Hydroxide, Benzoic Acid",
        featured_rank=7,
    ),
    DemoProduct(
        "adapalene-gel", "Adapalene 0.1% Gel", "Adapalene\n0.1%",
        "marlow-clinical", "treatments", "tube", (70, 120, 160), ("adapalene",),
        (OILY, COMBI),
        _sizes(("30 g", "16.50", 42)),
        "An over-the-counter retinoid gel that clears blackheads and prevents new spots.",
        "Adapalene 0.1% is the retinoid sold without prescription for acne. It works on "
        "the blocked pore that every spot starts from, so results build over 8 to 12 weeks.",
        "Evenings, a pea-sized amount for the whole face on dry skin, every other night at "
        "first.\nMoisturise if you feel dry and use sunscreen every day. Not for use in "
        "pregnancy.",
        "Aqua, Adapalene, Carbomer 940, Propylene Glycol, Poloxamer 182, Disodium EDTA, "
        "Methylparaben, Sodium Hydroxide",
        featured_rank=2,
    ),
    DemoProduct(
        "tretinoin-cream", "Tretinoin 0.025% Cream", "Tretinoin\n0.025%",
        "marlow-clinical", "treatments", "tube", (130, 110, 170), ("tretinoin",),
        (OILY, COMBI, NORMAL),
        _sizes(("20 g", "21.40", 0)),
        "A prescription retinoid cream that prevents milia and treats acne and sun damage.",
        "Tretinoin is retinoic acid, the active form of vitamin A, and the retinoid with "
        "the longest record. Many patients know it by the brand names Renova and Retin-A. "
        "Used nightly, it keeps the surface of the skin renewing, which makes new milia "
        "less likely; it also treats acne and the fine lines of sun damage. It needs a "
        "doctor's prescription.",
        "Only as your doctor prescribes: usually a pea-sized amount in the evening on dry "
        "skin.\nNot for use in pregnancy or when trying to conceive.",
        "Tretinoin, Aqua, Stearic Acid, Isopropyl Myristate, Polyoxyl 40 Stearate, "
        "Stearyl Alcohol, Xanthan Gum, Sorbic Acid, Butylated Hydroxytoluene",
        prescription_only=True,
        brand_names="Renova, Retin-A",
    ),
    DemoProduct(
        "benzoyl-peroxide-spot-gel", "Benzoyl Peroxide 2.5% Spot Gel", "BPO 2.5%\nGel",
        "marlow-clinical", "treatments", "tube", (226, 120, 96), ("benzoyl-peroxide",),
        (OILY, COMBI),
        _sizes(("15 ml", "9.90", 38)),
        "A low-strength gel to dab on red, inflamed spots.",
        "2.5% benzoyl peroxide works as well as stronger gels on spots, with less "
        "redness and peeling.",
        "Dab a thin layer on each spot once a day, in the evening.\n"
        "It bleaches fabric and hair: let it dry before bed.",
        "Aqua, Benzoyl Peroxide, Glycerin, Carbomer, Poloxamer 182, Sodium Hydroxide, "
        "Disodium EDTA",
    ),
    DemoProduct(
        "urea-foot-cream", "Urea 25% Foot Cream", "Urea 25%\nFeet",
        "brightwater-derm", "treatments", "tube", (150, 160, 110), ("urea",),
        (DRY,),
        _sizes(("75 ml", "12.50", 1)),
        "An intensive cream that softens cracked heels and thickened skin.",
        "25% urea breaks down hard, rough skin and holds water in it. Most people see "
        "softer heels within a week of nightly use.",
        "Every evening, rub into clean, dry feet, avoiding the skin between the toes.\n"
        "Wash your hands afterwards.",
        "Aqua, Urea, Paraffinum Liquidum, Cetearyl Alcohol, Glycerin, Lactic Acid, "
        "Sodium Lactate, Dimethicone, Phenoxyethanol",
    ),
    DemoProduct(
        "ceramide-barrier-cream", "Ceramide Barrier Cream", "Barrier\nCream",
        "quiet-fern", "moisturisers", "jar", (150, 178, 168),
        ("ceramides", "hyaluronic-acid"), (DRY, SENSITIVE, NORMAL),
        _sizes(("50 ml", "22.00", 44), ("100 ml", "36.00", 15)),
        "A rich but quickly absorbed cream that rebuilds a dry, irritated skin barrier.",
        "Ceramides, cholesterol and fatty acids in the proportions skin uses itself, with "
        "hyaluronic acid for water. A good base for anyone starting retinoids or acids.",
        "Morning and evening on face and neck, as the last step before sunscreen.\n"
        "Also fine for dry patches on the body.",
        "Aqua, Glycerin, Caprylic/Capric Triglyceride, Cetearyl Alcohol, Squalane, "
        "Ceramide NP, Ceramide AP, Ceramide EOP, Cholesterol, Linoleic Acid, "
        "Sodium Hyaluronate, Phytosphingosine, Carbomer, Phenoxyethanol",
        featured_rank=8,
    ),
    DemoProduct(
        "urea-repair-cream", "Urea 10% Repair Cream", "Urea 10%\nCream",
        "brightwater-derm", "moisturisers", "tube", (176, 168, 120), ("urea",),
        (DRY,),
        _sizes(("100 ml", "15.90", 2)),
        "A body cream for very dry, rough and flaking skin.",
        "10% urea softens rough skin while it hydrates, and lactic acid helps shed dry "
        "flakes. Suits dry shins, elbows and hands.",
        "Once or twice a day on the body after a shower.\n"
        "It can sting on cracked or broken skin: let that heal first.",
        "Aqua, Urea, Glycerin, Cetearyl Alcohol, Caprylic/Capric Triglyceride, Lactic Acid, "
        "Sodium Lactate, Dimethicone, Phenoxyethanol",
    ),
    DemoProduct(
        "lactic-acid-body-lotion", "Lactic Acid 12% Body Lotion", "Lactic\nBody 12%",
        "quiet-fern", "moisturisers", "pump", (230, 180, 170), ("lactic-acid",),
        (DRY, NORMAL),
        _sizes(("200 ml", "19.90", 28, "23.90")),
        "A smoothing body lotion for rough, bumpy skin on the arms and thighs.",
        "Lactic acid loosens the plugs of keratin behind the small bumps of keratosis "
        "pilaris and leaves dry skin soft.",
        "Once a day after showering, on dry skin. Avoid freshly shaved areas.\n"
        "Wear sunscreen on treated skin that sees the sun.",
        "Aqua, Lactic Acid, Ammonium Lactate, Glycerin, Cetearyl Alcohol, Paraffinum "
        "Liquidum, Glyceryl Stearate, Dimethicone, Phenoxyethanol",
    ),
    DemoProduct(
        "lightweight-gel-moisturiser", "Lightweight Gel Moisturiser", "Gel\nMoisturiser",
        "quiet-fern", "moisturisers", "jar", (160, 200, 190),
        ("hyaluronic-acid", "niacinamide"), (OILY, COMBI),
        _sizes(("50 ml", "16.90", 50)),
        "An oil-free gel cream that hydrates without shine.",
        "Hyaluronic acid and niacinamide in a fresh gel that sinks in at once. It sits "
        "well under sunscreen and make-up.",
        "Morning and evening after serums.",
        "Aqua, Glycerin, Niacinamide, Dimethicone, Sodium Hyaluronate, "
        "Acrylates/C10-30 Alkyl Acrylate Crosspolymer, Panthenol, Sodium Hydroxide, "
        "Phenoxyethanol",
    ),
    DemoProduct(
        "rich-recovery-night-cream", "Rich Recovery Night Cream", "Night\nCream",
        "quiet-fern", "moisturisers", "jar", (120, 110, 150), ("ceramides",),
        (DRY,),
        _sizes(("50 ml", "27.50", 0)),
        "A cocooning night cream for very dry or wind-chapped skin.",
        "Shea butter and ceramides seal in moisture overnight. A good partner for "
        "retinoid nights when the skin feels raw.",
        "Evenings as the last step, a thin layer over face and neck.",
        "Aqua, Butyrospermum Parkii Butter, Glycerin, Squalane, Cetearyl Alcohol, "
        "Ceramide NP, Cholesterol, Behenyl Alcohol, Tocopherol, Phenoxyethanol",
    ),
    DemoProduct(
        "ceramide-eye-cream", "Ceramide Eye Cream", "Eye\nCream",
        "quiet-fern", "moisturisers", "tube", (190, 176, 200),
        ("ceramides", "hyaluronic-acid"), (SENSITIVE, DRY, NORMAL),
        _sizes(("15 ml", "19.00", 24)),
        "A gentle, fragrance-free cream for the thin skin around the eyes.",
        "Ceramides and hyaluronic acid in a light cream tested around the eyes. It "
        "does not move into the eyes or sting.",
        "Morning and evening, tap a rice-grain amount along the orbital bone.",
        "Aqua, Glycerin, Caprylic/Capric Triglyceride, Squalane, Ceramide NP, "
        "Sodium Hyaluronate, Cetearyl Alcohol, Carbomer, Phenoxyethanol",
    ),
    DemoProduct(
        "vitamin-c-brightening-moisturiser", "Vitamin C Brightening Moisturiser",
        "Vitamin C\nCream", "brightwater-derm", "moisturisers", "jar", (238, 196, 90),
        ("vitamin-c", "niacinamide"), (NORMAL, COMBI),
        _sizes(("50 ml", "26.00", 32, "29.00")),
        "A day moisturiser with a stable vitamin C for a more even tone.",
        "A vitamin C derivative that stays stable in a cream, with niacinamide. "
        "Gentler than a pure vitamin C serum.",
        "Every morning before sunscreen.",
        "Aqua, Glycerin, Caprylic/Capric Triglyceride, Niacinamide, Sodium Ascorbyl "
        "Phosphate, Cetearyl Alcohol, Dimethicone, Tocopherol, Phenoxyethanol",
    ),
    DemoProduct(
        "mineral-sunscreen-spf50", "Mineral Sunscreen SPF 50", "Mineral\nSPF 50",
        "tidewell", "sunscreen", "tube", (236, 214, 160), ("zinc-oxide",),
        ALL_SKIN,
        _sizes(("50 ml", "24.00", 64)),
        "A zinc oxide sunscreen with very high UVA and UVB protection for every day.",
        "20% zinc oxide in a fluid that spreads without a heavy white cast. Fragrance-free "
        "and suitable for sensitive skin and for use during pregnancy.",
        "As the last step every morning, two finger-lengths for face and neck.\n"
        "Reapply every two hours outdoors and after swimming.",
        "Aqua, Zinc Oxide, Caprylic/Capric Triglyceride, Coco-Caprylate/Caprate, "
        "Polyglyceryl-2 Dipolyhydroxystearate, Glycerin, Magnesium Sulfate, Tocopherol, "
        "Phenoxyethanol",
        featured_rank=3,
    ),
    DemoProduct(
        "tinted-mineral-sunscreen-spf30", "Tinted Mineral Sunscreen SPF 30", "Tinted\nSPF 30",
        "quiet-fern", "sunscreen", "tube", (210, 160, 130), ("zinc-oxide",),
        (SENSITIVE, NORMAL, DRY),
        _sizes(("40 ml", "21.00", 36)),
        "A lightly tinted mineral sunscreen that evens out redness.",
        "The iron oxide tint blends into most light to medium skin tones and adds "
        "protection against visible light, which matters for melasma.",
        "Every morning as the last step; reapply when outdoors.",
        "Aqua, Zinc Oxide, Caprylic/Capric Triglyceride, Glycerin, Iron Oxides, "
        "Polyglyceryl-3 Polyricinoleate, Tocopherol, Phenoxyethanol",
    ),
    DemoProduct(
        "oil-control-fluid-spf50", "Oil-Control Fluid SPF 50", "Fluid\nSPF 50",
        "brightwater-derm", "sunscreen", "pump", (100, 150, 150), ("niacinamide",),
        (OILY, COMBI),
        _sizes(("50 ml", "19.50", 5)),
        "A matte, ultra-light sunscreen for oily and acne-prone skin.",
        "Modern filters in a watery fluid with niacinamide and silica to keep shine down "
        "through the day. It does not clog pores.",
        "Every morning as the last step, and again every two hours outdoors.",
        "Aqua, Alcohol Denat., Ethylhexyl Triazone, Bis-Ethylhexyloxyphenol Methoxyphenyl "
        "Triazine, Diethylamino Hydroxybenzoyl Hexyl Benzoate, Niacinamide, Silica, "
        "Glycerin, Tocopherol",
    ),
    DemoProduct(
        "family-body-sunscreen-spf30", "Family Body Sunscreen SPF 30", "Body\nSPF 30",
        "tidewell", "sunscreen", "bottle", (240, 190, 110), ("zinc-oxide",),
        ALL_SKIN,
        _sizes(("150 ml", "22.50", 40), ("250 ml", "32.00", 20, "36.00")),
        "A water-resistant body sunscreen for the whole family.",
        "A zinc oxide lotion that is easy to spread on large areas and stays put for 40 "
        "minutes in the water.",
        "Apply generously 15 minutes before going out; reapply after swimming and "
        "towelling.",
        "Aqua, Zinc Oxide, Coco-Caprylate, Glycerin, Polyglyceryl-4 Isostearate, "
        "Cetyl PEG/PPG-10/1 Dimethicone, Tocopherol, Phenoxyethanol",
    ),
    DemoProduct(
        "glycolic-exfoliating-toner", "Glycolic 7% Exfoliating Toner", "Glycolic\n7%",
        "brightwater-derm", "exfoliants", "bottle", (200, 120, 110), ("glycolic-acid",),
        (NORMAL, OILY, COMBI),
        _sizes(("200 ml", "18.00", 34)),
        "An evening toner that smooths rough texture and brightens dull skin.",
        "7% glycolic acid at a skin-friendly pH with aloe to calm. Two or three evenings a "
        "week are enough for most people.",
        "Evenings, on a cotton pad over clean, dry skin; no need to rinse.\n"
        "Not on the same night as a retinoid. Use sunscreen the next day.",
        "Aqua, Glycolic Acid, Aloe Barbadensis Leaf Water, Glycerin, Sodium Hydroxide, "
        "Panthenol, Polysorbate 20, Sodium Benzoate",
    ),
    DemoProduct(
        "bha-liquid-exfoliant", "BHA 2% Liquid Exfoliant", "BHA 2%\nLiquid",
        "brightwater-derm", "exfoliants", "bottle", (90, 130, 120), ("salicylic-acid",),
        (OILY, COMBI),
        _sizes(("100 ml", "21.50", 27)),
        "A leave-on salicylic acid liquid for blackheads and enlarged pores.",
        "2% salicylic acid in a light, alcohol-free liquid that clears out pores over a "
        "few weeks.",
        "Once a day, morning or evening, swept over the face with a cotton pad or fingers.",
        "Aqua, Methylpropanediol, Salicylic Acid, Butylene Glycol, Polysorbate 20, "
        "Camellia Oleifera Leaf Extract, Sodium Hydroxide, Tetrasodium EDTA",
    ),
    DemoProduct(
        "lactic-acid-gentle-peel", "Lactic Acid 5% Gentle Peel Serum", "Lactic\n5%",
        "quiet-fern", "exfoliants", "dropper", (240, 170, 160),
        ("lactic-acid", "hyaluronic-acid"), (NORMAL, DRY, SENSITIVE),
        _sizes(("30 ml", "17.50", 0)),
        "A mild exfoliating serum for dry and sensitive skin that finds glycolic too strong.",
        "5% lactic acid with hyaluronic acid: it smooths and hydrates at once. A good "
        "first acid.",
        "Two or three evenings a week on dry skin, then moisturiser.",
        "Aqua, Lactic Acid, Glycerin, Sodium Hyaluronate, Sodium Hydroxide, Panthenol, "
        "Xanthan Gum, Phenoxyethanol",
    ),
    DemoProduct(
        "glycolic-body-lotion", "Glycolic 10% Body Smoothing Lotion", "Glycolic\nBody",
        "brightwater-derm", "exfoliants", "pump", (214, 150, 120),
        ("glycolic-acid", "urea"), (DRY, NORMAL),
        _sizes(("200 ml", "18.90", 31)),
        "A smoothing lotion for rough elbows, knees and shins.",
        "10% glycolic acid with 5% urea to exfoliate and soften dry, rough body skin.",
        "Once a day after showering. Not on broken or freshly shaved skin.",
        "Aqua, Glycolic Acid, Urea, Glycerin, Cetearyl Alcohol, Sodium Hydroxide, "
        "Dimethicone, Phenoxyethanol",
    ),
]
