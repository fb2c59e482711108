"""PTB persistence on SQLite: conversation states, user, chat and bot data survive a restart.

Documents are stored as JSON, so whatever a handler keeps in ``user_data`` must be plain data
(our conversation drafts are). The database may be read by PTB before ``post_init`` runs, so
this class opens it on first use; ``post_shutdown`` closes it after PTB's final flush.
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.store.db import Database

JSONDict = dict[str, Any]


class SQLitePersistence(BasePersistence[JSONDict, JSONDict, JSONDict]):
    def __init__(self, db: Database, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=True, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def _ready(self) -> Database:
        await self.db.ensure_open()
        return self.db

    async def _load_map(self, table: str, key: str) -> dict[int, JSONDict]:
        db = await self._ready()
        rows = await db.fetchall(f"SELECT {key}, data FROM {table}")
        return {int(r[0]): json.loads(r[1]) for r in rows}

    async def get_user_data(self) -> dict[int, JSONDict]:
        return await self._load_map("ptb_user_data", "user_id")

    async def get_chat_data(self) -> dict[int, JSONDict]:
        return await self._load_map("ptb_chat_data", "chat_id")

    async def get_bot_data(self) -> JSONDict:
        db = await self._ready()
        row = await db.fetchone("SELECT data FROM ptb_bot_data WHERE id = 1")
        return json.loads(row[0]) if row else {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        db = await self._ready()
        rows = await db.fetchall("SELECT key, state FROM ptb_conversation WHERE name = ?", (name,))
        return {tuple(json.loads(r[0])): json.loads(r[1]) for r in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        db = await self._ready()
        encoded_key = json.dumps(list(key))
        if new_state is None:
            await db.execute(
                "DELETE FROM ptb_conversation WHERE name = ? AND key = ?", (name, encoded_key)
            )
            return
        await db.execute(
            "INSERT INTO ptb_conversation (name, key, state) VALUES (?, ?, ?)"
            " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
            (name, encoded_key, json.dumps(new_state)),
        )

    async def _upsert(self, table: str, key: str, ident: int, data: JSONDict) -> None:
        db = await self._ready()
        await db.execute(
            f"INSERT INTO {table} ({key}, data) VALUES (?, ?)"
            f" ON CONFLICT ({key}) DO UPDATE SET data = excluded.data",
            (ident, json.dumps(data, ensure_ascii=False)),
        )

    async def update_user_data(self, user_id: int, data: JSONDict) -> None:
        await self._upsert("ptb_user_data", "user_id", user_id, deepcopy(data))

    async def update_chat_data(self, chat_id: int, data: JSONDict) -> None:
        await self._upsert("ptb_chat_data", "chat_id", chat_id, deepcopy(data))

    async def update_bot_data(self, data: JSONDict) -> None:
        db = await self._ready()
        await db.execute(
            "INSERT INTO ptb_bot_data (id, data) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (json.dumps(data, ensure_ascii=False),),
        )

    async def update_callback_data(self, data: object) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        db = await self._ready()
        await db.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (chat_id,))

    async def drop_user_data(self, user_id: int) -> None:
        db = await self._ready()
        await db.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))

    async def refresh_user_data(self, user_id: int, user_data: JSONDict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: JSONDict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: JSONDict) -> None:
        return None

    async def flush(self) -> None:
        return None
