"""The documented trade list for the energy and digital-transition trades.

Codes are short, lower-case and stable; labels are the French names officers use. A configuration may pass its
own list (``sectors = [...]`` in the TOML file); when none is configured any code is accepted.
"""

from __future__ import annotations

__all__ = ["SECTORS"]

SECTORS: dict[str, str] = {
    "electricite": "Électricité, installation et équipements électriques",
    "reseaux_energie": "Réseaux d'énergie (transport, distribution)",
    "energies_renouvelables": "Énergies renouvelables (solaire, éolien, hydraulique)",
    "genie_climatique": "Génie climatique, chauffage, ventilation, froid",
    "efficacite_energetique": "Efficacité énergétique et rénovation",
    "mobilite_electrique": "Mobilité électrique, bornes de recharge",
    "automatismes": "Automatismes et systèmes industriels",
    "maintenance": "Maintenance des installations",
    "numerique": "Infrastructures numériques, réseaux et télécoms",
    "cybersecurite": "Systèmes d'information et cybersécurité",
    "batiment_intelligent": "Bâtiment connecté et domotique",
    "bureau_etudes": "Bureau d'études et conception",
}
