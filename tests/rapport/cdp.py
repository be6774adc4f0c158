"""Just enough of the Chrome DevTools protocol to drive Debian's headless Chromium from a test: a minimal
WebSocket client (RFC 6455, text frames) on asyncio streams, so the test needs no extra package."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import struct
from pathlib import Path
from urllib.parse import urlsplit

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-dev-shm-usage", "--remote-debugging-port=0"]


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, url: str) -> "WebSocket":
        u = urlsplit(url)
        reader, writer = await asyncio.open_connection(u.hostname, u.port, limit=2**24)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode(errors="replace"))
        return cls(reader, writer)

    async def send(self, text: str) -> None:
        data = text.encode()
        n = len(data)
        header = bytes([0x81])
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 2**16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.writer.write(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        await self.writer.drain()

    async def recv(self) -> str:
        parts: list[bytes] = []
        while True:
            b0, b1 = await self.reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", await self.reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", await self.reader.readexactly(8))[0]
            mask = await self.reader.readexactly(4) if b1 & 0x80 else None
            payload = await self.reader.readexactly(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 8:
                raise ConnectionError("websocket closed")
            if opcode in (9, 10):
                continue  # ping/pong
            parts.append(payload)
            if b0 & 0x80:
                return b"".join(parts).decode()

    def close(self) -> None:
        self.writer.close()


class Cdp:
    """One DevTools connection: commands by id, events ignored."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                msg = json.loads(await self.ws.recv())
                fut = self.pending.pop(msg.get("id", -1), None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
        except (ConnectionError, asyncio.IncompleteReadError):
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("devtools connection closed"))

    async def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        msg = await asyncio.wait_for(fut, 30)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result", {})

    async def eval(self, expression: str) -> object:
        r = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def close(self) -> None:
        self.task.cancel()
        self.ws.close()


class Browser:
    def __init__(self, proc: asyncio.subprocess.Process, browser: Cdp, page: Cdp) -> None:
        self.proc, self.browser, self.page = proc, browser, page

    @classmethod
    async def start(cls, profile: Path) -> "Browser":
        binary = chromium_binary()
        assert binary, "chromium is not installed (apt-get install -y chromium)"
        proc = await asyncio.create_subprocess_exec(binary, *FLAGS, f"--user-data-dir={profile}", "about:blank",
                                                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        url = None
        while url is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode()
            if not line:
                raise RuntimeError("chromium exited before DevTools listened")
            if m := re.search(r"DevTools listening on (ws://\S+)", line):
                url = m.group(1)
        asyncio.create_task(_drain(proc.stderr))
        browser = Cdp(await WebSocket.connect(url))
        targets = await browser.call("Target.getTargets")
        page_id = next(t["targetId"] for t in targets["targetInfos"] if t["type"] == "page")
        u = urlsplit(url)
        page = Cdp(await WebSocket.connect(f"ws://{u.netloc}/devtools/page/{page_id}"))
        await page.call("Page.enable")
        return cls(proc, browser, page)

    async def goto(self, url: str) -> None:
        await self.page.call("Page.navigate", url=url)
        await self.settle()

    async def settle(self, new_document: bool = False) -> None:
        """Wait until a navigation has loaded; with `new_document`, one replacing the document click_and_wait
        marked (a form posted to the page's own URL loads a new document at the same address)."""
        for _ in range(200):
            await asyncio.sleep(0.05)
            try:
                state = await self.page.eval("document.readyState + ' ' + (window.__nirOld === true)")
            except RuntimeError:
                continue  # the context is being replaced
            ready, old = state.split(" ", 1)
            if ready == "complete" and not (new_document and old == "true"):
                return
        raise TimeoutError("the page did not load")

    async def click_and_wait(self, selector: str) -> None:
        await self.page.eval("window.__nirOld = true")
        await self.page.eval(f"document.querySelector({json.dumps(selector)}).click()")
        await self.settle(new_document=True)

    async def stop(self) -> None:
        self.page.close()
        self.browser.close()
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass
