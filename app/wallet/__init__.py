"""The wallet companion: the card's three purses and points from one immutable journal of entries."""
