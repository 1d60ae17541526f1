"""Header matching: case- and accent-insensitive names, French aliases, personal-data columns.

A header is normalised with :func:`normalize` (``"Capacité semaine 1"`` → ``capacite_semaine_1``) and then looked up
in the aliases of the file's kind. Columns that match nothing are ignored. Columns that obviously hold personal data
(names, e-mails, phone numbers, birth dates) are recognised separately so that they are dropped before any value is
read: the contract needs pseudonymous ids only.
"""

from __future__ import annotations

import re
import unicodedata

from matcher.errors import Problem
from matcher.load.schema import SITES, STUDENTS, Column
from matcher.util.i18n import tr

__all__ = ["normalize", "ALIASES", "PERSONAL", "match_headers"]

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Lower-case ASCII form of a header or a keyword value.

    Accents are removed (NFKD), and every run of characters other than letters and digits (spaces, hyphens,
    apostrophes, brackets...) becomes one ``_``; leading and trailing ``_`` are stripped.

    Parameters
    ----------
    text : str
        A header cell or a keyword cell as written by the user.

    Returns
    -------
    str
        For example ``"Capacité (semaine 1)"`` → ``"capacite_semaine_1"``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub("_", ascii_only.replace("œ", "oe").replace("æ", "ae")).strip("_")


_COMMON = {
    "uai": "lycee_uai",
    "code_uai": "lycee_uai",
    "lycee": "lycee_uai",
    "rne": "lycee_uai",
    "uai_lycee": "lycee_uai",
    "code_commune": "commune_insee",
    "insee": "commune_insee",
    "code_insee": "commune_insee",
    "commune": "commune_insee",
    "ville": "commune_insee",
    "nom_commune": "commune_insee",
    "nom_de_la_commune": "commune_insee",
    "localite": "commune_insee",
    "rue": "address",
    "code_commune_insee": "commune_insee",
    "insee_commune": "commune_insee",
    "code_postal": "postal_code",
    "cp": "postal_code",
    "codepostal": "postal_code",
    "zip": "postal_code",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "adresse": "address",
    "adresse_postale": "address",
    "secteurs": "sectors",
    "secteur": "sectors",
    "metiers": "sectors",
    "metier": "sectors",
    "filieres": "sectors",
    "filiere": "sectors",
    "sector": "sectors",
}

_STUDENT = {
    "identifiant": "student_id",
    "id_eleve": "student_id",
    "eleve": "student_id",
    "id": "student_id",
    "identifiant_eleve": "student_id",
    "choix": "site_choices",
    "voeux": "site_choices",
    "choix_sites": "site_choices",
    "voeu": "site_choices",
    "distance_max": "max_km",
    "km_max": "max_km",
    "rayon": "max_km",
    "distance_max_km": "max_km",
    "rayon_km": "max_km",
    "max_distance": "max_km",
    "semaines": "weeks",
    "semaine": "weeks",
    "fractionnement": "split_ok",
    "split": "split_ok",
    "fractionnable": "split_ok",
    "groupe": "group_id",
    "id_groupe": "group_id",
    "group": "group_id",
    "sexe": "gender",
    "genre": "gender",
    "sex": "gender",
    "prioritaire": "priority",
    "boursier": "priority",
    "rep": "priority",
    "handicap": "needs_accessible",
    "besoin_accessibilite": "needs_accessible",
}

_SITE = {
    "identifiant_site": "site_id",
    "id_site": "site_id",
    "siret": "site_id",
    "offre": "site_id",
    "identifiant": "site_id",
    "id": "site_id",
    "id_offre": "site_id",
    "entreprise": "company",
    "raison_sociale": "company",
    "societe": "company",
    "nom_entreprise": "company",
    "capacite": "capacity",
    "places": "capacity",
    "nombre_de_places": "capacity",
    "nb_places": "capacity",
    "capacite_semaine_1": "capacity_week_1",
    "places_semaine_1": "capacity_week_1",
    "capacite_semaine_2": "capacity_week_2",
    "places_semaine_2": "capacity_week_2",
    "temps_plein_uniquement": "full_time_only",
    "temps_plein": "full_time_only",
    "taille_groupe_max": "max_group_size",
    "groupe_max": "max_group_size",
    "accessibilite": "accessible",
    "accessibilite_pmr": "accessible",
    "pmr": "accessible",
    "reserve_prioritaires": "reserved_priority",
    "reserve_prioritaire": "reserved_priority",
    "lycees_reserves": "reserved_lycees",
    "reserve_lycees": "reserved_lycees",
}


#: Normalised header → contract column, per kind (``students`` / ``sites``). Contract names map to themselves.
def _aliases(specific: dict[str, str], columns: tuple[Column, ...]) -> dict[str, str]:
    names = {c.name for c in columns}
    merged = {**_COMMON, **specific, **{name: name for name in names}}
    return {key: column for key, column in merged.items() if column in names}


ALIASES: dict[str, dict[str, str]] = {"students": _aliases(_STUDENT, STUDENTS), "sites": _aliases(_SITE, SITES)}

#: Normalised headers of columns holding personal data: dropped unread.
PERSONAL: frozenset[str] = frozenset(
    {
        "nom",
        "prenom",
        "name",
        "first_name",
        "last_name",
        "surname",
        "given_name",
        "full_name",
        "nom_prenom",
        "prenom_nom",
        "nom_eleve",
        "prenom_eleve",
        "nom_de_famille",
        "nom_usage",
        "email",
        "e_mail",
        "mail",
        "courriel",
        "adresse_mail",
        "adresse_email",
        "adresse_electronique",
        "telephone",
        "tel",
        "phone",
        "portable",
        "mobile",
        "numero_de_telephone",
        "date_naissance",
        "date_de_naissance",
        "birth_date",
        "birthdate",
        "date_of_birth",
        "dob",
        "naissance",
        "ine",
        "numero_ine",
        "contact",
        "nom_contact",
        "email_contact",
        "telephone_contact",
        "responsable_legal",
        "nom_responsable",
    }
)


def match_headers(headers: list[str], kind: str, file: str) -> tuple[dict[int, str], list[Problem]]:
    """Map the header cells of a file to contract columns.

    Parameters
    ----------
    headers : list of str
        Header cells in file order.
    kind : str
        ``students`` or ``sites``.
    file : str
        File label for problems.

    Returns
    -------
    dict of int to str
        Position of each recognised column → its contract name. Unknown and personal-data columns are absent
        (they are ignored and never read).
    list of Problem
        A problem on row 1 (the header) for each contract column given twice (e.g. both ``cp`` and
        ``code_postal``).
    """
    aliases = ALIASES[kind]
    found: dict[int, str] = {}
    first_header: dict[str, str] = {}
    first_position: dict[str, int] = {}
    problems: list[Problem] = []
    for position, header in enumerate(headers):
        key = normalize(header)
        if key in PERSONAL or key not in aliases:
            continue  # personal data and unknown columns are neither read nor copied
        column = aliases[key]
        if column in first_header:
            problems.append(
                Problem(
                    file,
                    1,
                    column,
                    str(header),
                    tr("column {column} given twice (columns {first} and {second}: {a} and {b})").format(
                        column=column,
                        first=first_position[column] + 1,
                        second=position + 1,
                        a=repr(first_header[column]),
                        b=repr(str(header)),
                    ),
                    tr("keep only one of these columns"),
                )
            )
            continue
        first_header[column] = str(header)
        first_position[column] = position
        found[position] = column
    return found, problems
