"""``rotation hub web``: the web companion served on the school network (HTTPS) or this machine (HTTP)."""
from __future__ import annotations

import logging

import uvicorn

from hub.display_link import DisplayLink
from shared.config import Config
from web.accounts import Accounts
from web.app import make_app
from web.history import History

log = logging.getLogger("rotation.web")


def serve(config: Config) -> None:
    """Until SIGINT/SIGTERM (uvicorn's own handling)."""
    web = config.web
    accounts = Accounts(web.accounts)
    if not accounts.names():
        log.warning("no teacher can log in yet: add one with `rotation teacher add NAME`")
    link = DisplayLink(config, account="web")
    link.start()
    history = History(config)
    app = make_app(config, link, accounts, secure=web.certificate is not None, history=history)
    try:
        uvicorn.run(app, host=web.host, port=web.port, log_level="warning", access_log=False,
                    ssl_certfile=str(web.certificate) if web.certificate else None,
                    ssl_keyfile=str(web.key) if web.key else None)
    finally:
        link.stop()
        accounts.close()
        history.close()
