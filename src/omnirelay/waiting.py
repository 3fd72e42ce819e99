"""The idle wait of the background loops: until something new is signalled, or a poll interval."""

import asyncio


async def wake_or_timeout(wake: asyncio.Event, seconds: float) -> None:
    # asyncio.timeout cancels this task at the deadline; wait_for would run the wait as a task
    # of its own (Python 3.11), one more task per wake-up of the busiest loops (every commit).
    try:
        async with asyncio.timeout(seconds):
            await wake.wait()
    except TimeoutError:
        pass
