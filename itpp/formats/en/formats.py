"""Any other English (a code such as en-us activated by hand) writes dates as en-gb does."""

from itpp.formats.en_GB.formats import *  # noqa: F403
