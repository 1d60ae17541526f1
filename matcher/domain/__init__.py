"""Reference data, trades, the placement period, geodesy and groups."""
