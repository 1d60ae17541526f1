"""``matcher serve`` (the officer's web workspace, :mod:`matcher.web`) and ``matcher users add`` (its accounts).

Needs the optional extra ``matcher[web]``. Binds 127.0.0.1 by default; on any other address it refuses to start
without accounts, and without a certificate unless ``--allow-http`` (which warns that traffic is unencrypted).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import click

from matcher.cli.helptext import Command, Group
from matcher.cli.language import LANG
from matcher.cli.params import Argument, AskedOption, IntRange, PathType
from matcher.util.i18n import mark, tr

__all__ = ["serve_cmd", "users_cmd", "default_data", "check_exposure"]


def default_data() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/matcher`` (``~/.local/share/matcher``)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "matcher"


DATA = click.option(
    "--data",
    type=PathType(file_okay=False, path_type=Path),
    default=None,
    help=mark("Data folder kept between restarts (default: ~/.local/share/matcher)."),
)


def check_exposure(host: str, accounts: bool, https: bool, allow_http: bool) -> str:
    """Why the server must not start on ``host`` ("" when it may); off loopback it needs accounts and HTTPS (or an
    explicit ``--allow-http``)."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return ""
    if not accounts:
        said = tr(
            "--host {host} is reachable from other machines: add accounts first (matcher users add NAME --academie X)"
        )
        return said.format(host=host)
    if not https and not allow_http:
        said = tr(
            "--host {host} without --certfile/--keyfile would send personal data unencrypted; "
            "give a certificate or --allow-http"
        )
        return said.format(host=host)
    return ""


@click.command(name="serve", cls=Command)
@LANG
@DATA
@click.option("--host", default="127.0.0.1", show_default=True, help=mark("Address to listen on."))
@click.option("--port", type=IntRange(0, 65535), default=8765, show_default=True, help=mark("Port."))
@click.option("--certfile", type=PathType(exists=True, dir_okay=False, path_type=Path), help=mark("TLS certificate."))
@click.option("--keyfile", type=PathType(exists=True, dir_okay=False, path_type=Path), help=mark("TLS private key."))
@click.option("--allow-http", is_flag=True, help=mark("Serve plain HTTP off loopback (traffic unencrypted)."))
@click.option("--jobs", type=IntRange(1), default=1, show_default=True, help=mark("Runs at a time."))
@click.option("--max-upload-mb", type=IntRange(1), default=100, show_default=True, help=mark("Largest upload."))
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help=mark("Where runs run: a process forked by the server, or a Dask cluster (needs matcher[dask])."),
)
@click.option(
    "--scheduler",
    help=mark(
        "Dask engine: address of an existing scheduler (tcp://HOST:PORT), whose workers see --data at the same path."
    ),
)
@click.option(
    "--dask-workers",
    type=IntRange(1),
    help=mark(
        "Dask engine without --scheduler: worker processes of the LocalCluster it starts (default: one per core)."
    ),
)
def serve_cmd(
    lang: str | None,
    data: Path | None,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    allow_http: bool,
    jobs: int,
    max_upload_mb: int,
    engine: str,
    scheduler: str | None,
    dask_workers: int | None,
) -> None:
    """Serve the officer's workspace: campaigns, files, settings, runs, overrides, downloads, and a JSON API."""
    try:
        import uvicorn

        from matcher.pipeline.compute import Engine, EngineError
        from matcher.web.app import create_app
        from matcher.web.auth import Accounts
        from matcher.web.base import Server
    except ImportError as exc:  # pragma: no cover - the extra is installed with the tests
        said = tr("matcher serve needs the web extra: pip install 'matcher[web]' ({error})").format(error=exc)
        raise click.UsageError(said) from None
    data = data or default_data()
    https = certfile is not None and keyfile is not None
    refused = check_exposure(host, bool(Accounts(data / "users.json").read()), https, allow_http)
    if refused:
        raise click.UsageError(refused)
    if allow_http and not https and check_exposure(host, True, False, False):
        click.secho(
            tr("WARNING: plain HTTP off loopback: logins and personal data travel unencrypted."), fg="red", err=True
        )
    token = secrets.token_urlsafe(24)
    data.mkdir(parents=True, exist_ok=True)
    (data / "token").write_text(token, encoding="ascii")
    (data / "token").chmod(0o600)
    try:
        where = Engine(engine, scheduler, dask_workers)
        app = create_app(Server(data, token, max_upload_mb * 1024 * 1024, jobs, https, where))
    except (ValueError, EngineError) as exc:
        raise click.UsageError(str(exc)) from None
    scheme, shown = ("https" if https else "http"), (f"[{host}]" if ":" in host else host)
    click.echo(f"matcher serve: {scheme}://{shown}:{port}/login?token={token}", err=False)
    click.echo(tr("data folder: {folder}; Ctrl-C stops the server").format(folder=data), err=False)
    uvicorn.run(
        app, host=host, port=port, ssl_certfile=certfile, ssl_keyfile=keyfile, log_level="warning", access_log=False
    )


@click.group(name="users", cls=Group)
@LANG
def users_cmd(lang: str | None) -> None:
    """Accounts of matcher serve (each sees its académie's campaigns; académie "national" sees all)."""


@users_cmd.command(name="add")
@click.argument("name", cls=Argument, metavar=mark("NAME"))
@click.option(
    "--academie", required=True, help=mark('The académie whose campaigns the account sees ("national": all).')
)
@click.password_option(cls=AskedOption, help=mark("Password (asked twice when not given)."))
@DATA
@LANG
def users_add(name: str, academie: str, password: str, data: Path | None, lang: str | None) -> None:
    """Add or replace an account (the password kept as an argon2 hash)."""
    from matcher.web.auth import Accounts

    if len(password) < 10:
        raise click.UsageError(tr("choose a password of at least 10 characters"))
    Accounts((data or default_data()) / "users.json").add(name, academie, password)
    saved = tr("account {name} ({academie}) saved in {file}")
    click.echo(saved.format(name=name, academie=academie, file=(data or default_data()) / "users.json"))
