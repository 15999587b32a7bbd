"""The words of the demo content: authors, conditions, recommendations and articles.

Kept apart from ``demo.py`` (which only looks things up and creates what is missing),
so the writing can be read and edited as writing.
"""

from __future__ import annotations

from storefront.content.models import RecommendationRole

LEAD_AUTHOR = "maren-halden"

# The demo has one author: the doctor writes and researches everything herself. Her name and
# clinic are invented. The shop's financial ties are not a statement here: the author box
# reads them from the brands, so it cannot promise what the data does not bear out.
AUTHORS = [
    {
        "slug": LEAD_AUTHOR,
        "name": "Dr. Maren Halden",
        "credentials": "MD, board-certified dermatologist",
        "bio": (
            "Maren Halden has run her own dermatology clinic for more than fifteen years, "
            "seeing everything from teenage acne to skin cancer checks. She started this "
            "site so that readers get the same plain, unbiased explanations her patients "
            "get, and she chooses every product in the shop herself."
        ),
        "statements": (
            "I research and write every article on this site myself.\n"
            "My clinic in Seattle has looked after thousands of patients for more than "
            "fifteen years."
        ),
        "photo_alt": "Illustrated portrait of Dr. Maren Halden in a white coat",
        "user_email": "editor@example.com",
    },
]

# The doctor's introduction at the top of the shop and on the home page (Markdown).
SHOP_INTRODUCTION = {
    "heading": "Why I think good skincare is worth paying for",
    "body": """\
Of everything you can spend on your skin, a steady daily routine repays you best. The
right products prevent much of what brings people to my clinic: uneven colour, a tired,
flat look, rough texture, some kinds of breakouts and the early lines the sun leaves. Some
of that they can also improve once it is there.

Products that work often cost more. Well-made active ingredients are expensive, and some
makers fund research that the whole field later builds on. In my experience that money is
usually well spent.

Every product here is one I picked myself, after my team and I tried it at the clinic.
Many of them are in my own morning and evening routine. When a product stops earning its
place, it leaves the shop.""",
}

# --- Conditions ------------------------------------------------------------------------

CONDITIONS = [
    {
        "slug": "milia",
        "name": "Milia",
        "summary": (
            "Tiny, firm white bumps, usually around the eyes and cheeks. Each is a pocket of "
            "keratin trapped just under the surface. Harmless, but stubborn."
        ),
        "causes": """\
Skin constantly makes keratin, the tough protein of its outer layer, and normally sheds
it. When a little keratin gets sealed into a tiny cyst just under the surface instead, you
see a milium: a pearly bump one or two millimetres across.

- **Babies** often have them on the nose in the first weeks of life. They clear without
  treatment.
- **Adults** get them for no clear reason, or after the skin has been injured: blisters,
  burns, strong peels, laser treatment, or long use of steroid creams.
- **Rich creams** around the eyes and **years of sun** make them more likely for some
  people.

Milia are often called clogged pores, which is close but not quite it. A whitehead is a
pore plugged with oil and dead cells, and it still has an opening; a milium is a closed
pocket with no opening to the surface. That is why squeezing does not work, and why it so
easily marks the skin.""",
        "what_helps": """\
- **Leave them alone.** They sit too deep to squeeze out; pressing and picking bruise the
  skin and can leave small scars.
- **A nightly prescription retinoid** is the best prevention: tretinoin, sold as Renova
  and Retin-A among other names. Ask your dermatologist whether it suits you.
- **Without a prescription**, adapalene gel and then retinol do the same job more gently.
  Retinoids rarely clear existing milia quickly; give them three months.
- **A gentle exfoliating acid** such as glycolic acid a few times a week helps in the same
  way, more mildly.
- **Lighter products around the eyes** if you use a heavy eye cream.
- **Removal** by a dermatologist (health insurance usually counts it as cosmetic and does
  not pay) or an experienced aesthetician: phone first to check they offer it (many
  don't), as what aestheticians are allowed to do varies between states.

See a doctor if many milia appear at once, or if they come with blisters or a rash.""",
    },
    {
        "slug": "acne",
        "name": "Acne",
        "summary": (
            "Blackheads, whiteheads, red spots and sometimes deeper painful lumps, on the face, "
            "chest or back. Very common, very treatable, and worth treating early to avoid "
            "scars."
        ),
        "causes": """\
Four things come together in acne:

1. The oil glands make more sebum, mostly driven by hormones.
2. Dead cells stick together inside the pore instead of shedding, and block it.
3. *Cutibacterium acnes*, a bacterium that lives on all skin, thrives in the blocked pore.
4. The skin reacts with inflammation: the red, sore spot.

Genes matter most. Hormonal shifts (puberty, the menstrual cycle, polycystic ovary
syndrome), some medicines and heavy, pore-blocking products make it worse. Chocolate and
poor hygiene do not cause acne; washing more often usually irritates rather than helps.""",
        "what_helps": """\
- **A retinoid** (adapalene over the counter; tretinoin on prescription) unblocks pores
  and prevents new ones. It is the backbone of treatment.
- **Benzoyl peroxide** kills acne bacteria without them becoming resistant.
- **Salicylic acid** loosens blackheads and whiteheads.
- **Azelaic acid** calms red spots and fades the marks they leave.
- **Patience:** every acne treatment takes 8 to 12 weeks to show what it can do.

See a dermatologist if you have deep, painful lumps, if spots leave scars or dark marks,
or if three months of careful treatment has not helped. Prescription treatments work
very well, and scarring is much easier to prevent than to repair.""",
    },
    {
        "slug": "fine-lines",
        "name": "Fine lines",
        "summary": (
            "The first creases around the eyes, mouth and forehead. Part of ageing, and "
            "mostly shaped by sun exposure. Some things really do slow them; many do not."
        ),
        "causes": """\
With age the skin makes less collagen and elastin, the fibres that keep it firm and
springy. Ultraviolet light speeds this up enormously: most of the wrinkling we call
ageing on the face is, in fact, sun damage. Smoking, repeated expressions, poor sleep and
dry skin (which makes lines look deeper) add to it.""",
        "what_helps": """\
- **Daily broad-spectrum sunscreen** has the best evidence of anything you can put on
  your face to slow new lines.
- **Retinoids** are the best-proven treatment for lines already there. Tretinoin on
  prescription works best; retinol is gentler and weaker.
- **Vitamin C** serums help protect against sun damage and brighten dull skin.
- **Moisturisers and hyaluronic acid** plump the surface and soften lines for a few
  hours. They do not change the collagen beneath.
- **Not smoking** protects collagen better than any cream.

For deeper lines, a dermatologist can discuss treatments such as chemical peels, laser
and injectables, with their risks, in person.""",
    },
    {
        "slug": "hyperpigmentation",
        "name": "Hyperpigmentation",
        "summary": (
            "Patches or spots darker than the surrounding skin: sun spots, marks left by "
            "spots or rashes, and melasma. Fading them takes months and steady sun "
            "protection."
        ),
        "causes": """\
Pigment cells make more melanin when they are stimulated. The common triggers are:

- **Sun exposure**, which causes freckles and the flat brown sun spots (lentigines) of
  later life.
- **Inflammation**: acne, eczema, a burn or a scratch can leave a dark mark when it heals.
  This is more common and lasts longer in darker skin.
- **Hormones**: melasma, symmetrical brown patches on the cheeks, forehead and upper lip,
  often starts in pregnancy or with hormonal contraception, and is worsened by sun and
  visible light.""",
        "what_helps": """\
- **Sunscreen every day, all year.** Without it, nothing else works for long. For
  melasma, a tinted sunscreen also blocks visible light.
- **Azelaic acid** and **niacinamide** calm pigment production and suit sensitive skin.
- **Vitamin C** and gentle **glycolic acid** brighten and even out the surface.
- **Retinoids** speed the turnover of pigmented cells.
- **Treat the cause**: if acne keeps leaving marks, treating the acne prevents new ones.

A doctor should look at any dark spot that is new in adult life, growing, changing,
irregular in colour or outline, or bleeding. Prescription creams and procedures help
stubborn melasma, but should be chosen carefully; some make darker skin worse.""",
    },
    {
        "slug": "rosacea",
        "name": "Rosacea",
        "summary": (
            "Flushing, lasting redness across the cheeks and nose, sometimes with small red "
            "bumps and visible blood vessels. Long-lasting, but it can be controlled well."
        ),
        "causes": """\
Rosacea is a long-term inflammatory condition of facial skin. Its blood vessels react
too easily and the skin's immune response is on a short fuse; tiny mites that live on
everyone's face (*Demodex*) are found in larger numbers and may play a part. It runs in
families and is most often diagnosed in fair-skinned adults between 30 and 60, though it
occurs in all skin colours.

Common triggers of a flare are sun, heat, hot drinks, alcohol, spicy food, hard
exercise, stress and harsh skincare.""",
        "what_helps": """\
- **Learn your triggers**; a short diary for a few weeks usually shows them.
- **Gentle skincare**: a creamy cleanser, lukewarm water, a simple moisturiser. Avoid
  scrubs, alcohol toners, menthol and strong fragrance.
- **Daily sunscreen**, ideally a mineral one, which sensitive skin usually tolerates best.
- **Azelaic acid** reduces bumps and some redness.
- **Prescription treatments** work well for the bumps (ivermectin, metronidazole, a low
  dose of doxycycline) and for redness (creams that narrow blood vessels); laser treats
  visible vessels.

See a doctor for a diagnosis first, because rosacea is easily confused with acne or
a reaction to steroid creams, and do not use steroid creams on it. Gritty, sore or red
eyes need a doctor's attention too.""",
    },
    {
        "slug": "dry-skin",
        "name": "Dry skin",
        "summary": (
            "Tight, rough, flaky or itchy skin, often worse in winter and with age. Usually "
            "a weakened skin barrier, and usually fixed with the right routine."
        ),
        "causes": """\
The outer layer of skin is a wall of flattened cells held together by fats: ceramides,
cholesterol and fatty acids. When this barrier loses fats it lets water escape, and the
skin feels tight and looks dull and flaky.

The usual culprits are hot, long showers, foaming soaps, cold dry air and central
heating, and age (older skin makes less oil). Some people are born with a weaker barrier
and are prone to eczema. Underactive thyroid, diabetes, kidney disease and some medicines
can dry the skin too.""",
        "what_helps": """\
- **Short, lukewarm showers** and a soap-free, creamy cleanser.
- **Moisturise within three minutes of washing**, while the skin is still damp, and
  again whenever it feels tight.
- **Ceramide creams** replace the barrier's own fats.
- **Humectants** such as glycerin, hyaluronic acid and urea draw water into the skin.
  Urea and lactic acid also smooth rough, thick patches on the body.
- **A humidifier** in a dry bedroom in winter.

See a doctor if the itching keeps you awake, if the skin cracks, weeps or turns red in
patches (it may be eczema), or if dryness appears suddenly all over.""",
    },
    {
        "slug": "enlarged-pores",
        "name": "Enlarged pores",
        "summary": (
            "Visible openings of the oil glands, mostly on the nose and cheeks. Their size is "
            "largely inherited, but you can make them much less noticeable."
        ),
        "causes": """\
Pores are the openings of hair follicles and their oil glands. They look bigger when the
glands make a lot of oil, when the opening is filled with oil and dead cells, and when the
skin around them loses firmness with age and sun damage. Their basic size is set by your
genes.""",
        "what_helps": """\
- **Salicylic acid** dissolves the oil and debris that stretch the opening.
- **Niacinamide** can reduce oiliness a little and evens the skin's texture.
- **Retinoids** keep pores clear and, over months, firm the skin around them.
- **Sunscreen** protects the collagen that supports pores.
- **Avoid** pore strips, hard scrubs and squeezing; they irritate and the pores refill
  within days.""",
    },
    {
        "slug": "sun-damage",
        "name": "Sun damage",
        "summary": (
            "Brown spots, rough patches, lines and uneven tone from years of ultraviolet "
            "light. Some of it can be improved; all of it is a reason for regular skin checks."
        ),
        "causes": """\
Ultraviolet A and B light damage the DNA and the collagen of the skin. The effects add up
over decades: freckles and flat brown spots, fine lines and coarse wrinkles, thin skin that
bruises easily, broken vessels, and rough, scaly patches called actinic keratoses, which
can occasionally turn into skin cancer. Sunburns, sunbeds and outdoor work or hobbies all
count.""",
        "what_helps": """\
- **Sunscreen every day** (SPF 30 or more, broad-spectrum), shade and a hat. Skin repairs
  some damage once it is protected.
- **Retinoids** improve lines, texture and pigment over months.
- **Vitamin C** adds antioxidant protection under sunscreen.
- **A skin check** with a doctor or dermatologist if you have many sun spots or moles,
  rough patches that keep coming back, or a sore that does not heal within a month. These
  need a diagnosis rather than a cream.""",
    },
]

# --- Recommendations: (kind, slug, role, why, how to use) per condition -----------------------
# The role is the job a product does for the condition; products with the same job are the
# alternatives offered for a prescription medicine.

PREVENT, TREAT, SOOTHE = (RecommendationRole.PREVENT, RecommendationRole.TREAT,
                          RecommendationRole.SOOTHE)
PROTECT, CARE = RecommendationRole.PROTECT, RecommendationRole.CARE

RECOMMENDATIONS = {
    "milia": [
        ("product", "tretinoin-cream", PREVENT,
         "The nightly prescription retinoid to ask for first. It keeps the surface of the "
         "skin renewing, so keratin stops getting sealed in and new milia form far less "
         "often.",
         "Ask your dermatologist. Usually a pea-sized amount for the whole face at night, "
         "kept off the eyelids."),
        ("product", "adapalene-gel", PREVENT,
         "The strongest retinoid sold without a prescription. It evens out how skin cells "
         "shed, so fewer new milia form.",
         "A thin layer at night on the areas that get milia, not on the eyelids themselves."),
        ("product", "retinol-night-serum", PREVENT,
         "A gentler retinoid that works the same way, more slowly: a good start for "
         "sensitive skin.",
         "A pea-sized amount at night, twice a week at first, building up to every night."),
        ("ingredient", "glycolic-acid", PREVENT,
         "A gentle acid that loosens the outer layer of dead cells and smooths the surface.",
         "Two or three evenings a week, on nights you skip your retinoid."),
    ],
    "acne": [
        ("product", "adapalene-gel", TREAT,
         "Unblocks pores and stops new blackheads and spots forming; the best first "
         "treatment for most acne.",
         "A pea-sized amount for the whole face at night. Expect some dryness in the first "
         "weeks."),
        ("product", "benzoyl-peroxide-wash", TREAT,
         "Kills acne bacteria without resistance and calms red spots.",
         "Lather on wet skin, leave for one or two minutes, rinse. It bleaches towels."),
        ("product", "salicylic-acid-cleanser", TREAT,
         "Oil-soluble, so it gets into pores and loosens blackheads and whiteheads.",
         "Once a day; on days you use the benzoyl peroxide wash, use it at the other end of "
         "the day."),
        ("product", "tretinoin-cream", TREAT,
         "The prescription retinoid with the longest record in acne; stronger than adapalene.",
         "Only as your doctor directs, usually a pea-sized amount at night."),
        ("product", "niacinamide-serum", SOOTHE,
         "Calms redness and can reduce oiliness, alongside the treatments above.",
         "Morning or evening, before moisturiser."),
        ("ingredient", "azelaic-acid", TREAT,
         "Reduces spots and fades the dark marks acne leaves; considered safe in "
         "pregnancy.",
         "Once or twice a day on clean skin."),
    ],
    "fine-lines": [
        ("product", "mineral-sunscreen-spf50", PROTECT,
         "Daily sun protection is the best-proven way to slow new lines.",
         "Every morning as the last step, a generous layer; reapply outdoors."),
        ("product", "retinol-night-serum", TREAT,
         "Retinol builds collagen slowly and softens fine lines over months.",
         "At night, starting twice a week and building up."),
        ("product", "tretinoin-cream", TREAT,
         "The retinoid with the strongest evidence for improving lines and sun damage.",
         "Only on prescription, as your doctor directs."),
        ("product", "vitamin-c-serum", PROTECT,
         "An antioxidant that supports sun protection and brightens dull skin.",
         "In the morning, under sunscreen."),
        ("product", "hyaluronic-hydrating-serum", CARE,
         "Draws water into the surface so lines look softer for several hours.",
         "On damp skin, morning and evening, then moisturiser."),
    ],
    "hyperpigmentation": [
        ("product", "mineral-sunscreen-spf50", PROTECT,
         "Without daily sun protection, dark patches come back however well they fade.",
         "Every morning, all year, as the last step."),
        ("product", "azelaic-acid-cream", TREAT,
         "Slows pigment production and suits sensitive skin and darker skin tones.",
         "Once or twice a day on the whole area, not just the spots."),
        ("product", "vitamin-c-serum", TREAT,
         "Brightens and helps even out tone while adding antioxidant protection.",
         "In the morning, under sunscreen."),
        ("product", "niacinamide-serum", TREAT,
         "Reduces the transfer of pigment to the surface; gentle enough for daily use.",
         "Morning or evening, before moisturiser."),
        ("product", "glycolic-exfoliating-toner", TREAT,
         "Lifts pigmented surface cells and helps other treatments get in.",
         "Two or three evenings a week; stop if it stings."),
    ],
    "rosacea": [
        ("product", "gentle-cream-cleanser", CARE,
         "Cleans without stripping, so the skin has less reason to flare.",
         "With lukewarm water, morning and evening; pat dry."),
        ("product", "azelaic-acid-cream", TREAT,
         "Reduces the red bumps of rosacea and some of the redness.",
         "A thin layer once a day at first, twice a day if it is comfortable."),
        ("product", "mineral-sunscreen-spf50", PROTECT,
         "Sun is a common trigger; mineral filters are usually the best tolerated.",
         "Every morning, a generous layer."),
        ("product", "ceramide-barrier-cream", CARE,
         "Repairs the barrier, which makes skin less reactive.",
         "Morning and evening after cleansing."),
        ("ingredient", "niacinamide", SOOTHE,
         "Strengthens the barrier and can ease redness in sensitive skin.",
         "Choose a simple, fragrance-free product; start every other day."),
    ],
    "dry-skin": [
        ("product", "ceramide-barrier-cream", CARE,
         "Replaces the ceramides the barrier has lost, so the skin holds on to water.",
         "Within three minutes of washing, and whenever skin feels tight."),
        ("product", "gentle-cream-cleanser", CARE,
         "Cleans without foaming away the skin's own oils.",
         "Once or twice a day with lukewarm water."),
        ("product", "urea-repair-cream", TREAT,
         "Urea draws in water and softens rough, scaly patches.",
         "Once or twice a day on dry areas; it may sting on cracked skin."),
        ("product", "hyaluronic-hydrating-serum", CARE,
         "Adds water to the surface under a richer cream.",
         "On damp skin, followed at once by moisturiser."),
        ("product", "lactic-acid-body-lotion", TREAT,
         "A mild acid and humectant that smooths rough skin on arms and legs.",
         "Once a day on the body after a shower; not on broken skin."),
        ("ingredient", "ceramides", CARE,
         "The fats that hold the skin barrier together; creams with them help it repair.",
         "Look for them high in a cream's ingredient list."),
    ],
    "enlarged-pores": [
        ("product", "salicylic-acid-cleanser", TREAT,
         "Clears the oil and dead cells that stretch pores.",
         "Once a day; massage in for thirty seconds before rinsing."),
        ("product", "niacinamide-serum", TREAT,
         "Can reduce oiliness and makes texture look more even.",
         "Morning or evening, before moisturiser."),
        ("product", "retinol-night-serum", TREAT,
         "Keeps pores clear and, over months, firms the skin around them.",
         "At night, building up slowly."),
        ("ingredient", "salicylic-acid", TREAT,
         "An oil-soluble acid that works inside the pore.",
         "Once a day in a cleanser or leave-on product."),
    ],
    "sun-damage": [
        ("product", "mineral-sunscreen-spf50", PROTECT,
         "Stops new damage and lets the skin repair some of the old.",
         "Every morning, all year; reapply every two hours outdoors."),
        ("product", "retinol-night-serum", TREAT,
         "Improves texture, fine lines and uneven tone over months.",
         "At night, building up slowly; always with daytime sunscreen."),
        ("product", "vitamin-c-serum", PROTECT,
         "Adds antioxidant protection under sunscreen and brightens.",
         "In the morning, before sunscreen."),
        ("product", "tretinoin-cream", TREAT,
         "The best-studied treatment for sun-damaged skin.",
         "Only on prescription, as your doctor directs."),
    ],
}

# --- Articles ----------------------------------------------------------------------------
# In the order they are created: an article is created before any article that links to it.
# ``days_ago`` dates the publication; a negative number schedules it for the future.

ARTICLES = [
    {
        "slug": "moles-lumps-and-bumps",
        "title": "Moles, lumps and bumps",
        "kind": "in_depth",
        "conditions": ["milia", "sun-damage"],
        "days_ago": 60,
        "summary": (
            "A guide to the common spots and growths of adult skin, what each looks like, and "
            "the signs that mean you should have one checked."
        ),
        "question": None,
        "body": """\
Almost everyone has a collection of spots and bumps on their skin, and almost all of them
are harmless. Knowing the common ones makes it easier to notice the one that is not.

## The usual suspects

**Moles** are clusters of pigment cells. Most adults have between ten and forty. A normal
mole is round or oval, evenly coloured, and stays the same for years.

**Seborrhoeic keratoses** are waxy, brown, slightly rough growths that look stuck on the
skin. They become common after forty, can grow quite large, and are entirely benign.

**Skin tags** are soft, small flaps of skin on a narrow stalk, usually in the armpits,
on the neck and in skin folds.

**Cysts** are smooth, round lumps under the skin, often with a tiny dark opening on top.
They can become red and sore if they leak.

**Milia** are the tiny, hard white dots around the eyes: keratin trapped just under the
surface. I explain them in [What causes milia?](/articles/what-causes-milia).

**Cherry angiomas** are bright red dots of small blood vessels, more common with age.

**Lipomas** are soft, rubbery lumps of fat that move under the skin.

## When to have a spot checked

See a doctor about any spot that:

- is **new** and you are over about forty, or looks different from your other moles
  (the "ugly duckling");
- is **changing** in size, shape or colour;
- has an **irregular outline** or **several colours**;
- **bleeds, crusts or itches** without a reason;
- is a **sore that has not healed** within four weeks;
- is a **lump that grows** quickly or feels hard and fixed.

These signs do not mean cancer; most spots shown to a doctor turn out to be harmless. But
melanoma and other skin cancers are far easier to treat when they are found early, and a
dermatologist can usually tell in a minute, with a magnifying lens called a dermatoscope.

## Please don't remove them at home

Cutting off skin tags, freezing spots with home kits or squeezing cysts can cause
bleeding, infection and scars. More importantly, it destroys something that might have
needed a diagnosis first. A doctor can remove harmless growths cleanly when they bother
you, and send anything uncertain to the laboratory.

## Protecting what you have

Most new moles and sun spots are driven by ultraviolet light. Daily sunscreen on exposed
skin, shade in the middle of the day and no sunbeds are the best way to keep your
collection small. Once a month, take a look at your own skin in good light, with a hand
mirror for your back, or ask someone to help. You are the person most likely to notice
a change.""",
    },
    {
        "slug": "what-causes-milia",
        "title": "What causes milia?",
        "kind": "qa",
        "conditions": ["milia"],
        "days_ago": 45,
        "summary": (
            "Those tiny white bumps are keratin sealed under the skin, not quite a clogged "
            "pore. Why squeezing fails, how a nightly retinoid prevents them, and who can "
            "remove them safely."
        ),
        "question": (
            "For about a year I've had small, hard white bumps under my eyes and on my "
            "cheeks. They look like whiteheads but nothing comes out when I squeeze them, and "
            "now I have red marks where I tried. What are they, and how do I get rid of them?"
        ),
        "body": """\
What you describe sounds very much like milia. They are harmless and very common, and
they bring a lot of people to my clinic after an evening with a magnifying mirror; almost
everyone has had a go at squeezing one.

## What they are

A milium (the singular) is a firm, pearly bump one or two millimetres across that stays
put for months. Inside is **keratin**, the tough protein the outer layer of your skin is
built from. Normally it flakes away unnoticed; now and then a little of it is sealed into
a tiny cyst just under the surface.

You will often hear milia called clogged pores. That is close, but not quite it. A clogged
pore, such as a whitehead, is an opening plugged with oil and dead cells, and it can still
empty through that opening. A milium has **no opening at all**: it is a closed pocket
under a thin roof of skin, which is why nothing comes out when you press.

Newborns often have them for a few weeks. In adults they appear for no clear reason,
mostly around the eyes and on the cheeks, and more often after blisters, burns, strong
peels or laser, long use of steroid creams, years of sun, or heavy eye creams.

## Why squeezing doesn't work

They sit too deep to push out through unbroken skin, so squeezing only bruises the skin
around them and can leave red marks, small scars or an infection. The marks you have now
should fade over a few weeks if you leave the area alone.

## Preventing new ones

The most useful thing you can do is use a **retinoid every night**. It keeps the surface
renewing, so keratin is less likely to get trapped. The one I recommend first is
**tretinoin**, a prescription retinoid that many people know by the brand names
**Renova** and **Retin-A**. Ask your dermatologist whether it suits you; it heads the
recommendations below.

Without a prescription, **adapalene** gel is the next choice and a **retinol** serum the
gentlest. Keep any retinoid off the eyelids, expect some dryness at first, wear sunscreen
by day, and don't use one if you are pregnant or trying to be. Give it about three months.

## Removing the ones you have

Milia don't need treatment, but they can be removed in minutes: the surface is opened with
a sterile blade or needle and the keratin lifted out. Done well, it heals within days.

- **A dermatologist** is the safest choice. Health insurance usually counts this as
  cosmetic and doesn't pay for it, so ask about the cost first.
- **An experienced aesthetician** can be a good option. Phone first and check that milia
  removal is something they offer (many don't), and bear in mind that what aestheticians
  are allowed to do varies between states.

## When to see a doctor

If many milia appear suddenly, if they come with blisters, or if you're not sure they are
milia at all, have them examined. Several other bumps look similar; my in-depth guide to
[[article:moles-lumps-and-bumps]] describes the common ones.

*Dr. Maren Halden*""",
    },
    {
        "slug": "is-adapalene-worth-trying-for-acne",
        "title": "Is adapalene worth trying for my acne?",
        "kind": "qa",
        "conditions": ["acne"],
        "days_ago": 38,
        "summary": (
            "Adapalene is a retinoid you can buy without a prescription. How it works, how to "
            "start it without irritation, and how long to wait before judging it."
        ),
        "question": (
            "I'm 24 and still get blackheads and spots on my chin and forehead. A friend "
            "swears by adapalene gel. Is it safe to use on my own, and how long before it "
            "works?"
        ),
        "body": """\
For acne like yours, with blackheads and spots on the face, adapalene is one of the most
sensible things to try first. It is a **retinoid**, a relative of vitamin A, and the
0.1% gel is available without a prescription in many countries.

## How it works

Acne starts when dead cells clog a pore. Adapalene changes how those cells shed, so pores
stay open, existing blackheads work their way out, and fewer new spots form. It also calms
inflammation. Because it works on the very first step of acne, it prevents spots rather
than drying out the ones you have, which is why it must go on the **whole area**, not just
on individual spots.

[[product:adapalene-gel]]

## Starting without a fight

Most people who give up on adapalene stop because of early dryness. To avoid that:

- Use a **pea-sized amount** for the whole face, on dry skin, at night.
- Start **every other night** for two weeks, then nightly if your skin is comfortable.
- Keep it away from the corners of the nose and mouth and the eyelids.
- Use a simple moisturiser on top, and **sunscreen** every morning.
- Don't combine it in the first weeks with scrubs, peels or other strong acids.

Some people see a few more spots in the first month. This settles, and is not a sign that
the gel is wrong for you.

## How long to wait

Give it **twelve weeks** of regular use before you judge it. Improvement is slow and
steady: blackheads first, then fewer new spots. If it is helping, keep going; acne tends
to return when treatment stops.

## When it's not enough

Adapalene works well alongside a benzoyl peroxide wash, which kills acne bacteria. If
after three months you still get red, painful spots, or if spots leave scars or dark
marks, see a doctor or dermatologist: prescription treatments are very effective, and
scarring is easier to prevent than to treat. Don't use adapalene if you are pregnant or
trying to become pregnant; azelaic acid is a safer choice then.""",
    },
    {
        "slug": "a-simple-routine-for-acne-prone-skin",
        "title": "A simple routine for acne-prone skin",
        "kind": "in_depth",
        "conditions": ["acne", "enlarged-pores"],
        "days_ago": 30,
        "summary": (
            "Three or four products, used consistently, beat a shelf full of them. A "
            "morning and evening routine that treats acne without wrecking your skin."
        ),
        "question": None,
        "body": """\
When acne flares, the temptation is to attack it with everything at once. The result is
usually red, stinging skin that breaks out anyway. A short routine that you can keep up
for months does far more.

## Morning

1. **Cleanse.** A gentle wash with **benzoyl peroxide** kills the bacteria that inflame
   spots, and nothing in acne grows resistant to it. Leave the lather on for a minute or
   two, then rinse. It bleaches fabric, so use a white towel.

   [[product:benzoyl-peroxide-wash]]

2. **Moisturise** with something light and labelled non-comedogenic.
3. **Sunscreen**, every day. Treatments make skin more sensitive to the sun, and sun
   darkens the marks spots leave behind.

## Evening

1. **Cleanse** again. A **salicylic acid** cleanser suits oily skin with blackheads;
   on drier skin, a plain gentle cleanser is fine.

   [[product:salicylic-acid-cleanser]]

2. **Retinoid.** A pea-sized amount of **adapalene** for the whole face, on dry skin. This
   is the step that prevents new spots. I explain how to start it in
   [[article:is-adapalene-worth-trying-for-acne]].
3. **Moisturise.**

## What to leave out

- **Scrubs and brushes.** Rubbing inflamed skin makes it redder and does not unblock pores.
- **Toothpaste, lemon juice, alcohol** and other home remedies, which irritate.
- **Squeezing.** It pushes the contents deeper and leaves marks that last longer than the
  spot would have.
- **Heavy oils and thick make-up** on the face, if you notice that they break you out.

## Give it time

Acne treatment works slowly. Expect the first change at about six weeks and a fair
verdict at twelve. If your skin gets dry or sore, use the treatments every other day
rather than stopping altogether.

## When to see a dermatologist

Please don't wait if you have deep, painful lumps, if spots are leaving scars or dark
patches, if acne is affecting how you feel about yourself, or if it hasn't improved after
three months of this routine. Prescription creams, tablets and, for severe acne,
isotretinoin work very well. Sudden acne in adult life together with irregular periods or
extra hair growth deserves a check with your doctor too.""",
    },
    {
        "slug": "sunscreen-every-day",
        "title": "Sunscreen every day: the step that does the most",
        "kind": "in_depth",
        "conditions": ["fine-lines", "hyperpigmentation", "sun-damage"],
        "days_ago": 26,
        "summary": (
            "Why daily sunscreen matters more than any serum, how much to use, and how to "
            "find one you will actually wear."
        ),
        "question": None,
        "body": """\
If I could recommend only one skincare product, it would be a sunscreen worn every day.
Not because the others don't work, but because without it, very little else lasts.

## What it protects you from

Ultraviolet light reaches us all year, through clouds and through windows. Over years
it breaks down collagen, causes brown spots and uneven tone, and damages the DNA of skin
cells, which is how most skin cancers begin. In a well-known trial, adults who applied
sunscreen daily showed no detectable increase in skin ageing over four and a half years,
unlike those who used it only when they felt like it.

For anyone fading dark marks or melasma, sunscreen is not optional: a single sunny
weekend can undo months of treatment.

## Choosing one

- **SPF 30 or higher**, labelled **broad-spectrum** (UVA and UVB).
- **Mineral filters** (zinc oxide, titanium dioxide) are usually best tolerated by
  sensitive or rosacea-prone skin. Modern ones leave far less of a white cast.
- **Tinted** sunscreens containing iron oxides also block visible light, which helps
  melasma and dark marks in darker skin.
- The best sunscreen is the one you like enough to wear every day.

[[product:mineral-sunscreen-spf50]]

## How to use it

- Use **enough**: about half a teaspoon for the face and neck. Most people use a third of
  that and get a fraction of the protection on the label.
- Apply it as the **last step** of your morning routine, before make-up.
- **Reapply** every two hours when you are outdoors, and after swimming or sweating.
- Don't forget the ears, the back of the neck and the backs of the hands.

Sunscreen is one part of sun protection, not all of it. Shade in the middle of the day,
a broad-brimmed hat and clothing do a lot of the work on long days outside, and sunbeds
are never safe.

## Does it stop vitamin D?

In everyday use, people who wear sunscreen do not generally become vitamin D deficient.
If you avoid the sun completely or have darker skin and live far from the equator, talk
to your doctor about whether a supplement makes sense.""",
    },
    {
        "slug": "retinol-or-tretinoin",
        "title": "Should I use retinol or ask for tretinoin?",
        "kind": "qa",
        "conditions": ["fine-lines", "sun-damage"],
        "days_ago": 20,
        "summary": (
            "Both are retinoids, and both can soften fine lines. The differences in strength, "
            "irritation and access, and how to decide."
        ),
        "question": (
            "I'm 41 and noticing fine lines around my eyes. I keep reading that tretinoin is "
            "the gold standard, but I've also been told retinol is enough. Which should I "
            "use?"
        ),
        "body": """\
Both belong to the same family, the **retinoids**, and both work by switching on the
same receptors in skin cells. The difference is how directly they get there.

## The difference

**Tretinoin** *is* retinoic acid, the active form. It acts at once, has decades of
research showing it improves fine lines, texture and sun spots, and is available only on
prescription in most countries. It is also the more irritating of the two.

**Retinol** has to be converted by the skin, in two steps, into retinoic acid. Much of it
is lost along the way, so it is weaker, gentler, and slower. The evidence for it is
smaller but real: used consistently for months, it does soften fine lines.

## Which suits you

At 41, with early fine lines, **retinol is a very reasonable start**, especially if your
skin is sensitive or you have never used a retinoid. Many people who begin with tretinoin
give up within weeks because of peeling and stinging; a product you use every night beats
a stronger one you abandon.

[[product:retinol-night-serum]]

If after six months you would like more, or if you have marked sun damage, ask your
doctor or a dermatologist about tretinoin. They can choose a strength and explain how to
build up to it.

## Using either well

- A **pea-sized amount** for the whole face, at night, on dry skin.
- Start **two or three nights a week**, increasing as your skin allows.
- Use a little less close to the eyes, and none on the eyelids.
- A plain moisturiser afterwards, and **sunscreen every morning**. Retinoids make skin
  more sensitive to the sun, and sun damage is what you are trying to repair. Our piece
  on [[article:sunscreen-every-day]] explains how much to use.
- Expect results at three to six months, not weeks.

## Who should wait

Don't use retinol or tretinoin if you are pregnant, trying to conceive or breastfeeding.
Be careful if you have eczema or rosacea; talk to a dermatologist first, as retinoids can
make both flare.""",
    },
    {
        "slug": "why-do-dark-spots-come-back",
        "title": "Why do my dark spots keep coming back?",
        "kind": "qa",
        "conditions": ["hyperpigmentation"],
        "days_ago": 14,
        "summary": (
            "Dark marks fade, then return every summer. Usually it is the sun, and sometimes "
            "it is melasma. What keeps them away."
        ),
        "question": (
            "Every winter the brown patches on my cheeks fade, and every summer they come "
            "back darker. I've tried three different brightening serums. What am I doing "
            "wrong?"
        ),
        "body": """\
Probably nothing wrong with the serums. Patches that fade in winter and return in summer
are telling you that the **sun** is in charge, and no brightening product can outwork
it on its own.

## What those patches might be

Symmetrical brown patches on both cheeks, sometimes also on the forehead and upper lip,
are typical of **melasma**. It is most common in women, often starts in pregnancy or with
hormonal contraception, and is much more sensitive to light than ordinary sun spots. Even
brief daily exposure, and visible light through windows, keeps the pigment cells active.

Other dark marks have other causes: freckles and sun spots from years of sun, or marks
left behind after acne or eczema. A doctor can tell them apart, and should look at any
patch that is new, growing, uneven in colour or outline, or bleeding.

## What keeps them away

**1. Sunscreen, every day, all year.** Broad-spectrum SPF 30 or more, a generous amount,
reapplied when you are outdoors. For melasma, a **tinted** sunscreen with iron oxides
blocks visible light as well. A hat in summer helps more than you might think. Our
guide to [[article:sunscreen-every-day]] covers how much to use.

**2. A steady fading treatment.** **Azelaic acid** slows pigment production, is gentle,
and suits darker skin tones, where harsh treatments can make pigment worse.

[[product:azelaic-acid-cream]]

Niacinamide, vitamin C and retinoids all help too, and can be combined once your skin
tolerates them. Apply them to the whole area, not just the darkest spots.

**3. Gentleness.** Scrubbing, strong peels and irritation stimulate pigment cells. A
routine that stings is often making melasma worse.

## Being realistic

Melasma can be controlled but rarely cured; expect to keep up sun protection for the long
term. Fading takes three months or more. If over-the-counter treatment and faithful
sunscreen haven't helped after that, a dermatologist can offer prescription creams and
carefully chosen procedures. Please avoid strong bleaching creams bought online; some
contain steroids or mercury and can harm the skin.""",
    },
    {
        "slug": "calming-rosacea",
        "title": "Calming rosacea: triggers, skincare and treatment",
        "kind": "in_depth",
        "conditions": ["rosacea"],
        "days_ago": 10,
        "summary": (
            "Rosacea can't be cured, but it can be controlled well. How to find your "
            "triggers, build a routine your skin tolerates, and know when to get treatment."
        ),
        "question": None,
        "body": """\
Rosacea usually begins with flushing that lingers a little longer each time, until the
cheeks and nose stay red. Later there may be small red bumps, visible threadlike vessels
and a feeling of heat or stinging. It is a long-term condition, but with the right care
most people keep it quiet most of the time.

## First, a diagnosis

Rosacea is easy to confuse with acne, with a reaction to steroid creams, and with some
other rashes. The treatments differ, so have a doctor confirm it. Never treat it with
steroid creams: they help briefly, then make it much worse.

## Find your triggers

Common ones are sun, heat, hot drinks, alcohol (red wine especially), spicy food, hard
exercise, stress, wind and cold. Everyone's list is different. Keep a short diary of
flares for a few weeks; patterns usually appear quickly. You don't have to give up
everything, just know what costs you a flare.

## A routine your skin tolerates

- **Cleanse gently** with a creamy, soap-free cleanser and lukewarm water. Pat dry.

  [[product:gentle-cream-cleanser]]

- **Moisturise** with a simple, fragrance-free cream. A healthier barrier is a less
  reactive one.
- **Sunscreen every morning.** Mineral sunscreens are usually the best tolerated.
- **Add one treatment at a time** and give each two weeks before adding another, so you
  know what your skin accepts.
- **Leave out** scrubs, toners with alcohol, menthol, strong fragrance and harsh acids.

Test any new product on a small patch near the jaw for a few days first.

## Treatments that work

**Azelaic acid** reduces the red bumps and, for some people, the background redness.
Prescription creams with **ivermectin** or **metronidazole** are very effective for bumps,
and a low dose of **doxycycline** helps when they are widespread. Creams that narrow the
blood vessels reduce redness for several hours. **Laser or light treatment** by a
dermatologist fades visible vessels and persistent redness.

## Your eyes

Many people with rosacea have it in the eyes too: grittiness, dryness, burning,
red eyelid margins. Mention it to your doctor, because it needs its own treatment and
shouldn't be left.

Rosacea has nothing to do with hygiene, and it is not your fault. It is a common skin
condition that deserves proper care.""",
    },
    {
        "slug": "why-is-my-skin-so-dry-in-winter",
        "title": "Why is my skin so dry in winter?",
        "kind": "qa",
        "conditions": ["dry-skin"],
        "days_ago": 7,
        "summary": (
            "Cold air outside, dry heat inside and long hot showers strip the skin barrier. "
            "How to repair it, and when dryness is something else."
        ),
        "question": (
            "Every winter my face and legs get tight, flaky and itchy, even though I "
            "moisturise every day. Is there something I should be doing differently?"
        ),
        "body": """\
Winter is hard on the skin barrier. Cold air outside holds little moisture, heated air
indoors holds even less, and long hot showers feel wonderful while washing away the fats
that keep water in. By January, many people's skin is losing water faster than any
moisturiser puts it back.

## Think barrier, not just moisture

The outer layer of skin is like a brick wall: the cells are bricks, and fats called
**ceramides**, cholesterol and fatty acids are the mortar. When the mortar wears thin,
water escapes and irritants get in, which is why dry skin itches. A good winter routine
does two things: stops stripping the mortar, and puts some back.

## What to change

- **Shorter, cooler showers.** Five to ten minutes, lukewarm rather than hot.
- **No foaming soap** on dry areas. A creamy, soap-free wash is enough.
- **Moisturise within three minutes** of getting out, while the skin is still damp. This
  one change makes the biggest difference for most people.
- **Use a richer cream in winter** than in summer. Lotions are mostly water; creams and
  ointments hold water in better.
- **Look for ceramides**, which repair the mortar, and for humectants such as glycerin or
  urea, which draw water in.

[[product:ceramide-barrier-cream]]

- **On rough legs and heels,** a cream with urea or lactic acid softens the scale. It can
  sting on cracked skin, so use a plain cream there until the cracks heal.
- **A humidifier** in the bedroom helps if your heating dries the air.
- **Soft fabrics** next to the skin, and a fragrance-free laundry detergent.

## When it's more than dry skin

See a doctor if the itch keeps you awake, if the skin cracks or bleeds, if you have red,
rough patches that keep coming back in the same places (this may be **eczema**, which
often needs a prescription cream for flares), or if your skin has become dry everywhere
quite suddenly. An underactive thyroid, diabetes, kidney problems and some medicines can
all cause dry skin, and a simple check can rule them out.""",
    },
    {
        "slug": "can-i-make-my-pores-smaller",
        "title": "Can I make my pores smaller?",
        "kind": "qa",
        "conditions": ["enlarged-pores"],
        "days_ago": 4,
        "summary": (
            "You can't change the size you were born with, but you can make pores much less "
            "noticeable. What works, and why pore strips don't."
        ),
        "question": (
            "The pores on my nose and cheeks look huge, especially in photos. I use pore "
            "strips every week but they come straight back. Is there anything that actually "
            "shrinks them?"
        ),
        "body": """\
The honest answer first: you can't permanently change the size of your pores, which is
largely set by your genes. But you can make them **look** a great deal smaller, and the
things that do it are simple.

## Why pores look big

Each pore is the opening of a hair follicle with an oil gland. Pores look larger when:

- the gland makes a lot of oil, as on the nose and central cheeks;
- the opening is filled with oil and dead cells, which stretch it and catch the light;
- the skin around it loses firmness with age and sun damage.

What you pull out with a pore strip is mostly a **sebaceous filament**: a normal column of
oil and cells that lines every pore. It refills within days, which is why your pores come
straight back. Frequent strips and squeezing also irritate the skin and can break small
vessels.

## What actually helps

**Keep them clear.** **Salicylic acid** is oil-soluble, so it gets inside the pore and
dissolves what stretches it. A cleanser or leave-on product once a day is enough.

**Calm the oil.** **Niacinamide** can reduce oiliness a little and makes skin texture
look more even. It is gentle enough to use every day.

[[product:niacinamide-serum]]

**Firm the skin around them.** Over months, **retinoids** keep pores clear and build the
collagen that supports them.

**Protect that collagen** with daily sunscreen. Sun-damaged skin sags around pores and
makes them look larger year by year.

**Choose light products.** Heavy creams and thick foundation can settle into pores and
exaggerate them.

## What to expect

Expect a visible difference in six to eight weeks: smoother skin, less shine, and pores
that are less obvious in the mirror and in photos. If you also have spots and blackheads,
treat it as acne; a dermatologist can help if it doesn't settle. Procedures such as laser
can refine pores further, but none makes them disappear, and magnifying mirrors make
everyone's look enormous.""",
    },
    {
        "slug": "rough-bumps-on-upper-arms",
        "title": "What are the rough little bumps on my upper arms?",
        "kind": "qa",
        "conditions": ["dry-skin"],
        "days_ago": 2,
        "summary": (
            "Rough, goosebump-like skin on the arms and thighs is usually keratosis pilaris. "
            "It's harmless and can be smoothed, though not cured."
        ),
        "question": (
            "Since my teens the backs of my arms have been covered in small rough bumps, "
            "some a bit red. Scrubbing doesn't help. What is it?"
        ),
        "body": """\
This sounds like **keratosis pilaris**, one of the most common skin conditions there is.
It affects a large share of teenagers and many adults, runs in families, and is often
found alongside dry skin or eczema.

## What is happening

Each bump is a hair follicle plugged with **keratin**, the protein of the skin's outer
layer. Instead of shedding, the keratin builds up into a tiny hard plug around the hair,
and the skin around it can turn a little red or brown. It favours the backs of the upper
arms, the thighs and the buttocks, and on some people the cheeks. It is harmless and not
contagious, and it often softens with age.

## Why scrubbing doesn't help

Rubbing hard knocks off the top of the plugs for a day, then irritates the follicles and
makes the redness worse. Gentle, steady treatment works better than force.

## What does help

**Soften the plugs with a keratolytic moisturiser.** Creams with **urea** (around 10%) or
**lactic acid** loosen the keratin and hold water in the skin at the same time. Use one
every day after a shower, on the affected areas.

[[product:urea-repair-cream]]

[[product:lactic-acid-body-lotion]]

**Keep the skin from drying out.** Short, lukewarm showers, a soap-free wash, and a plain
moisturiser on the days you skip the acid.

**Be patient and consistent.** Expect smoother skin in four to six weeks. Keratosis pilaris
comes back when treatment stops, so a few applications a week are needed to keep it
smooth. It is often better in summer and worse in winter.

If these creams sting, use them every other day, and not on broken or sunburnt skin.

## When to see a doctor

Keratosis pilaris doesn't need a doctor. But see one if the bumps are itchy, painful or
full of pus (that may be an infection of the follicles, called folliculitis), if they
spread quickly, or if the redness on your face bothers you: a dermatologist can offer
prescription creams or laser for the redness.""",
    },
    {
        "slug": "starting-a-retinoid-without-irritation",
        "title": "Starting a retinoid without the irritation",
        "kind": "in_depth",
        "conditions": ["acne", "fine-lines"],
        "days_ago": -10,
        "summary": (
            "Peeling, stinging and redness make many people give up on retinoids too soon. "
            "A week-by-week plan for getting through the first months."
        ),
        "question": None,
        "body": """\
Retinoids are among the best-proven ingredients in skincare, for acne, for fine lines and
for sun damage. They are also the ones people most often abandon, because the first
weeks can be uncomfortable. A slow start avoids most of that.

## What to expect

For the first two to six weeks, many people have some dryness, flaking, tightness or
stinging, usually around the nose and mouth. This is the skin adjusting to faster
renewal, not an allergy. It fades as the skin gets used to the retinoid.

## A plan for the first eight weeks

**Weeks 1 and 2:** twice a week, at night. A pea-sized amount for the whole face, on dry
skin, twenty minutes after washing.

**Weeks 3 and 4:** every other night, if your skin is comfortable.

**Week 5 onwards:** every night, if your skin is still comfortable. If not, stay at every
other night for a while longer; results come from months of use, not from daily use.

## Ways to make it easier

- **Buffer it.** Put a plain moisturiser on first and the retinoid on top, or sandwich
  the retinoid between two layers of moisturiser. It still works, more gently.
- **Protect the sensitive spots** (the corners of the nose and mouth, the eyelids) with a
  thin layer of petroleum jelly.
- **Keep the rest of the routine simple**: a gentle cleanser, a moisturiser, sunscreen.
  Pause exfoliating acids and scrubs until you are used to the retinoid.
- **Wear sunscreen every morning.**

## When to stop

Stop and ask a doctor if you get swelling, blistering, or a rash beyond the areas you
treat; that suggests a reaction rather than adjustment. Don't use retinoids when pregnant,
trying to conceive or breastfeeding.""",
    },
]
