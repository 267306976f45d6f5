#!/usr/bin/env python3
"""Makes the README's pictures from the real parts: a private broker, the hub, kiosks and the room map.

    .venv/bin/python scripts/screenshots.py [docs/images]
"""
from __future__ import annotations

import inspect
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge import kivy_env  # noqa: E402

kivy_env.prepare(headless=True)

from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402

from hub.display import DisplayPresenter, RoomMapScreen  # noqa: E402
from hub.display_link import DisplayLink  # noqa: E402
from hub.service import HubService  # noqa: E402
from kiosk.app import KioskPresenter, KioskScreen  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import secured_broker, write_demo_config  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import Command  # noqa: E402


def wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out making the screenshots: {inspect.getsource(condition).strip()}")
        EventLoop.idle()


def frames(count: int = 5) -> None:
    for _ in range(count):
        EventLoop.idle()


class WebCompanion:
    """The web companion on a free loopback port and Debian's Chromium logged in to it, for its pictures."""

    def __init__(self, config) -> None:
        import threading

        import uvicorn
        from playwright.sync_api import sync_playwright

        from rotation.demo import demo_teacher_account
        from web.accounts import Accounts
        from web.app import make_app

        password = demo_teacher_account(config)
        self.accounts = Accounts(config.web.accounts)
        self.link = DisplayLink(config, account="web")
        self.link.start()
        self.url = config.web.address.rstrip("/")
        self.server = uvicorn.Server(uvicorn.Config(make_app(config, self.link, self.accounts, secure=False),
                                                    host="127.0.0.1", port=config.web.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait(lambda: self.server.started and self.link.state is not None)
        self.driver = sync_playwright().start()
        self.browser = self.driver.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        self.context = self.browser.new_context(device_scale_factor=1)
        page = self.context.new_page()
        page.goto(self.url + "/login")
        page.get_by_label("Name").fill("teacher")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(self.url + "/")
        page.close()

    def shot(self, path: str, out: Path, width: int, height: int, follow: str | None = None) -> None:
        """The page at ``path`` (then the first link whose address starts with ``follow``), at this size."""
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(self.url + path)
        if follow is not None:
            page.locator(f'main a[href^="{follow}"]').first.click()
            page.wait_for_load_state()
        page.wait_for_timeout(300)  # the live map's first push; fonts
        page.screenshot(path=str(out))
        page.close()

    def stop(self) -> None:
        self.browser.close()
        self.driver.stop()
        self.server.should_exit = True
        self.thread.join(10)
        self.link.stop()
        self.accounts.close()


def main(pictures: Path) -> None:
    pictures.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rotation-shots-"))
    config_path = write_demo_config(work, free_port(), round_seconds=15 * 60)
    with secured_broker(config_path, work / "broker"):
        config = load_config(config_path)
        hub = HubService(config)
        hub.start()
        kiosks = {s.id: KioskCore(config, s.id, work / f"{s.id}.db") for s in config.stations if s.kiosk}
        for kiosk in kiosks.values():
            kiosk.start()
        wait(lambda: all(k.state for k in kiosks.values()))
        hub.handle_command(Command("shots-start", "start", "screenshots", {"minutes": 12, "rounds": 4}))
        hub.handle_command(Command("shots-absent", "mark_attendance", "screenshots", {"student": "s07",
                                                                                      "mark": "absent"}))
        state = hub.room.snapshot(0)
        plan = {s.id: s.groups for s in state.stations}
        members = {g.id: g.members for g in state.groups}
        tokens = {sid: sign_token(config.signing_key, sid) for sid in state.students}
        # Most students are where they should be; two went to the wrong place; some are still on the way.
        for station, kiosk in kiosks.items():
            for student in members[plan[station][0]][:-1]:
                kiosk.scan(tokens[student])
        kiosks["tech"].scan(tokens["s01"])
        kiosks["reading-nook"].scan(tokens["s02"])
        for station, student, how in (("tech", "s04", "got_it"), ("independent", "s03", "getting_there"),
                                      ("reading-nook", "s05", "stuck")):  # earlier exit tickets: dots on the map
            kiosks[station].record("exit_ticket", tokens[student], {"how": how})
        kiosks["tech"].ask_help()
        kiosks["independent"].ask_help()
        wait(lambda: any(p.station == "reading-nook" and s != "s02" for s, p in hub.room.presence.items()))
        out = next(s for s, p in hub.room.presence.items() if p.station == "reading-nook" and s != "s02")
        kiosks["reading-nook"].go_out(tokens[out])  # a student took the out-of-room pass
        kiosks["collaborative"].stop()
        wait(lambda: len(hub.room.presence) == 19 and len(hub.room.help) == 2 and len(hub.room.progress) == 3
             and out in hub.room.out)

        EventLoop.ensure_window()
        Window.size = (1280, 720)
        link = DisplayLink(config)
        screen = RoomMapScreen(size=(1280, 720))
        Window.add_widget(screen)
        presenter = DisplayPresenter(link, screen)
        link.start()
        wait(lambda: presenter.shown_map and len(presenter.shown_map.tiles) == 5
             and sum(len(t.here) + len(t.wrong) + len(t.out) for t in presenter.shown_map.tiles) == 19
             and presenter.shown_map.offline_kiosks and len(presenter.shown_map.help) == 2)
        frames()
        screen.export_to_png(str(pictures / "room-map.png"))
        presenter.open_lesson()  # the lesson screen, as the teacher changes the lesson running
        wait(lambda: presenter.dialog is not None)
        frames(10)
        presenter.dialog.export_to_png(str(pictures / "lesson.png"))
        web = WebCompanion(config)
        web.shot("/", pictures / "web-phone.png", 360, 740)
        presenter.dialog.dismiss()
        frames(10)
        presenter.show_regroup()  # the teacher asks for mixed-readiness groups of four
        regroup = presenter.regroup_screen
        regroup.count = 4
        regroup.dispatch("on_suggest", "mixed")
        wait(lambda: regroup.suggested and len(regroup.ids.columns.children) == 4)
        frames(10)
        regroup.export_to_png(str(pictures / "regroup.png"))
        regroup.dispatch("on_cancel")
        presenter.show_map()
        link.stop()
        Window.remove_widget(screen)

        Window.size = (800, 480)
        nook = kiosks["reading-nook"]
        kiosk_screen = KioskScreen(size=(800, 480))
        Window.add_widget(kiosk_screen)
        kiosk_presenter = KioskPresenter(nook, kiosk_screen)
        for name, text in (("kiosk-welcome", tokens["s10"]), ("kiosk-elsewhere", tokens["s03"]),
                           ("kiosk-try-again", "RS1:s0")):
            before = kiosk_presenter.last_decision_at
            nook.scan(text)
            wait(lambda before=before: kiosk_presenter.last_decision_at != before)
            frames()
            kiosk_screen.export_to_png(str(pictures / f"{name}.png"))
            kiosk_presenter.view.clear()  # the next scan has the screen to itself
        # A student who reads Spanish, and one who reads Ukrainian in large text, as the teacher set them
        for student, needs in (("s15", {"language": "es"}), ("s20", {"language": "uk", "large_text": True})):
            hub.handle_command(Command(f"shots-{student}", "set_needs", "screenshots",
                                       {"student": student, "needs": needs}))
        wait(lambda: nook.state.students["s20"].needs is not None)
        for name, student in (("kiosk-spanish", "s15"), ("kiosk-ukrainian-large-text", "s20")):
            nook.scan(tokens[student])
            wait(lambda: kiosk_screen.outcome == "ask:choice")
            frames()
            kiosk_screen.export_to_png(str(pictures / f"{name}.png"))
            kiosk_presenter.view.clear()
        nook.now = lambda: time.time() + 90  # a while later, the first student scans again to leave
        nook.scan(tokens["s10"])
        wait(lambda: kiosk_screen.outcome == "ask:exit_ticket")
        frames()
        kiosk_screen.export_to_png(str(pictures / "kiosk-exit-ticket.png"))
        nook.now = time.time
        kiosk_presenter.answer("got_it")
        kiosk_presenter.answer(None)
        kiosk_presenter.view.clear()  # the student walks off rather than wait out the thanks
        wait(lambda: kiosk_presenter.view.model().outcome == "idle", timeout=10)
        hub.handle_command(Command("shots", "next", "screenshots"))  # the round ends: who goes where
        wait(lambda: kiosk_screen.outcome == "move")
        frames()
        kiosk_screen.export_to_png(str(pictures / "kiosk-move.png"))
        Window.remove_widget(kiosk_screen)
        Window.size = (1280, 720)  # the lesson ends: the summary on the board
        link = DisplayLink(config)
        screen = RoomMapScreen(size=(1280, 720))
        Window.add_widget(screen)
        presenter = DisplayPresenter(link, screen)
        link.start()
        wait(lambda: presenter.shown_map is not None and len(presenter.shown_map.tiles) == 5)
        hub.handle_command(Command("shots-end", "end", "screenshots", {}))
        wait(lambda: presenter.dialog is not None and "Report saved" in presenter.dialog.lines, timeout=20)
        frames(10)
        presenter.dialog.export_to_png(str(pictures / "lesson-summary.png"))
        web.shot("/tomorrow", pictures / "web-tomorrow.png", 1280, 800)
        web.shot("/reports", pictures / "web-report.png", 1280, 800, follow="/reports/")
        web.stop()
        link.stop()
        for kiosk in kiosks.values():
            if kiosk.station.id != "collaborative":
                kiosk.stop()
        hub.stop()
    print(f"wrote the pictures to {pictures}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images")
