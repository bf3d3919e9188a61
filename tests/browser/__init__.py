"""Browser tests: real WordPress + plugin + bridge, driven through Chromium."""
