"""The officer's web workspace (``matcher serve``): campaigns, uploads, runs, overrides, downloads; a JSON API."""
