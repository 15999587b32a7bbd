"""factory_boy factories, one module per feature, all importable from here."""

from tests.factories.accounts import *  # noqa: F403
from tests.factories.base import BaseFactory  # noqa: F401
from tests.factories.catalog import *  # noqa: F403
from tests.factories.content import *  # noqa: F403
from tests.factories.orders import *  # noqa: F403
from tests.factories.reviews import *  # noqa: F403
from tests.factories.search import *  # noqa: F403
