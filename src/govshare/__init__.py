"""govshare: the platform on which a city's government integrates its systems and shares data."""

__version__ = "0.1.0"
