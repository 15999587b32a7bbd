"""Admin area "settings" (admins): the shop's particulars, shipping zones and tax rates,
and search (synonyms, what people search for). The rules are in
``storefront.settings.services``, ``storefront.shipping.editing`` and
``storefront.search.synonyms``."""
