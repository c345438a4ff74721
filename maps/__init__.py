"""The map: page shell, JS bridge, static map rendering and the bundled Wuhan district boundaries."""
