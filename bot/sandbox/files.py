"""Files the bot sends, checked as Telegram checks them: an upload's size, what a photo must be, and
which kind of file a file_id stands for. Sizes come from the Bot API reference (sendPhoto: "at most
10 MB", width plus height at most 10000, a ratio of at most 20; sendDocument: "up to 50 MB")."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from bot.sandbox.state import ApiError, bad_request

MB = 1024 * 1024
UPLOAD_LIMITS = {"photo": 10 * MB, "document": 50 * MB}
DOWNLOAD_LIMIT = 20 * MB  # getFile: "bots can download files of up to 20MB in size"
PHOTO_SIDES = 10_000  # width + height
PHOTO_RATIO = 20
PHOTO_BOUNDS = (90, 320, 800, 1280, 2560)  # the longer side of each size Telegram makes of a photo


def check_upload(content: bytes, kind: str) -> None:
    if not content:
        raise bad_request("file must be non-empty")
    if len(content) > UPLOAD_LIMITS.get(kind, UPLOAD_LIMITS["document"]):
        raise ApiError(413, "Request Entity Too Large")


def photo_dimensions(content: bytes) -> tuple[int, int]:
    """Width and height of an image Telegram would take as a photo; refused as Telegram words it."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    if width < 1 or height < 1 or width + height > PHOTO_SIDES or max(width, height) > PHOTO_RATIO * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram keeps of a photo, smallest first: scaled down to each bound the photo exceeds,
    then the photo itself (at most the largest bound)."""
    sizes = []
    for bound in PHOTO_BOUNDS:
        longer = max(width, height)
        if longer <= bound:
            sizes.append((width, height))
            break
        sizes.append((max(1, round(width * bound / longer)), max(1, round(height * bound / longer))))
    return sizes
