"""工会卡 core: merchants, districts, store and command line, with no Qt anywhere below this package."""
