"""Points programmes as data files (one per bank) and the one engine that applies any of them."""
