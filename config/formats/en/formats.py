# English is the second language: the same dd/mm/yyyy dates as Vietnamese, English number separators.
from config.formats.vi.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
