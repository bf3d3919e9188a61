"""Storage: the engine and sessions, the tables, the migrations, the rate-limit counters."""
