"""The tables behind PTB's persistence: conversation states, user, chat and bot data as JSON.

Plain reads and writes; the PTB ``BasePersistence`` built on them is
``bot.handlers.persistence.SQLitePersistence``.
"""

from __future__ import annotations

import json
from typing import Any

from bot.store.db import Database

JSONDict = dict[str, Any]
# Tables holding one JSON document per user or chat id.
_MAPS = {"user": ("ptb_user_data", "user_id"), "chat": ("ptb_chat_data", "chat_id")}


class PersistenceRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def load_map(self, which: str) -> dict[int, JSONDict]:
        table, key = _MAPS[which]
        rows = await self.db.fetchall(f"SELECT {key}, data FROM {table}")
        return {int(r[0]): json.loads(r[1]) for r in rows}

    async def save(self, which: str, ident: int, data: JSONDict) -> None:
        table, key = _MAPS[which]
        await self.db.execute(
            f"INSERT INTO {table} ({key}, data) VALUES (?, ?)"
            f" ON CONFLICT ({key}) DO UPDATE SET data = excluded.data",
            (ident, json.dumps(data, ensure_ascii=False)),
        )

    async def drop(self, which: str, ident: int) -> None:
        table, key = _MAPS[which]
        await self.db.execute(f"DELETE FROM {table} WHERE {key} = ?", (ident,))

    async def bot_data(self) -> JSONDict:
        row = await self.db.fetchone("SELECT data FROM ptb_bot_data WHERE id = 1")
        return json.loads(row[0]) if row else {}

    async def save_bot_data(self, data: JSONDict) -> None:
        await self.db.execute(
            "INSERT INTO ptb_bot_data (id, data) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (json.dumps(data, ensure_ascii=False),),
        )

    async def conversations(self, name: str) -> dict[tuple[Any, ...], object]:
        rows = await self.db.fetchall(
            "SELECT key, state FROM ptb_conversation WHERE name = ?", (name,)
        )
        return {tuple(json.loads(r[0])): json.loads(r[1]) for r in rows}

    async def save_conversation(self, name: str, key: tuple[Any, ...],
                                state: object | None) -> None:
        encoded_key = json.dumps(list(key))
        if state is None:
            await self.db.execute(
                "DELETE FROM ptb_conversation WHERE name = ? AND key = ?", (name, encoded_key)
            )
            return
        await self.db.execute(
            "INSERT INTO ptb_conversation (name, key, state) VALUES (?, ?, ?)"
            " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
            (name, encoded_key, json.dumps(state)),
        )
