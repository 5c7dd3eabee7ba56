"""A TCP proxy on 127.0.0.1 that can cut every connection and refuse new ones for a while:
what the bot sees when its database restarts, without restarting the shared server. It can
also black-hole: keep every connection open and accept new ones, but forward nothing, as a
server that hangs or a network that silently drops packets does."""

from __future__ import annotations

import asyncio
import contextlib


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.down = False
        self.black_hole = False
        """Forward nothing more, on open connections or new ones; they stay open."""
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """Drop every open connection, as a database restart does."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        self._writers.add(writer)
        if self.black_hole:  # accepted, never connected onwards: reads go unanswered
            await self._pipe(reader, None)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                if writer is None or self.black_hole:
                    continue  # swallowed
                writer.write(data)
                await writer.drain()
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.transport.abort()
            self._writers.discard(writer)
