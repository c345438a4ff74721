"""Where things are: Wuhan's districts and the China datum conversions (GCJ-02, BD-09)."""
