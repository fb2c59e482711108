"""PTB persistence on SQLite: conversation states, user, chat and bot data survive a restart.

Documents are stored as JSON (``bot.store.persistence``), so whatever a handler keeps in
``user_data`` must be plain data (our conversation drafts are). PTB reads persistence before
``post_init`` runs, so this class opens the database on first use; ``post_shutdown`` closes it
after PTB's final flush.
"""

from __future__ import annotations

from copy import deepcopy

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.store.db import Database
from bot.store.persistence import JSONDict, PersistenceRepository


class SQLitePersistence(BasePersistence[JSONDict, JSONDict, JSONDict]):
    def __init__(self, db: Database, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=True, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self.tables = PersistenceRepository(db)

    async def _ready(self) -> PersistenceRepository:
        await self.db.ensure_open()
        return self.tables

    async def get_user_data(self) -> dict[int, JSONDict]:
        return await (await self._ready()).load_map("user")

    async def get_chat_data(self) -> dict[int, JSONDict]:
        return await (await self._ready()).load_map("chat")

    async def get_bot_data(self) -> JSONDict:
        return await (await self._ready()).bot_data()

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        return await (await self._ready()).conversations(name)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await (await self._ready()).save_conversation(name, tuple(key), new_state)

    async def update_user_data(self, user_id: int, data: JSONDict) -> None:
        await (await self._ready()).save("user", user_id, deepcopy(data))

    async def update_chat_data(self, chat_id: int, data: JSONDict) -> None:
        await (await self._ready()).save("chat", chat_id, deepcopy(data))

    async def update_bot_data(self, data: JSONDict) -> None:
        await (await self._ready()).save_bot_data(data)

    async def update_callback_data(self, data: object) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await (await self._ready()).drop("chat", chat_id)

    async def drop_user_data(self, user_id: int) -> None:
        await (await self._ready()).drop("user", user_id)

    async def refresh_user_data(self, user_id: int, user_data: JSONDict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: JSONDict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: JSONDict) -> None:
        return None

    async def flush(self) -> None:
        return None
