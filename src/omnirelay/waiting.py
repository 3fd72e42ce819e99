"""The idle wait of the background loops: until something new is signalled, or a poll interval."""

import asyncio


async def wake_or_timeout(wake: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(wake.wait(), seconds)
    except TimeoutError:
        pass
