"""Docker image references split into repository and tag, and written with a tag variable."""

from __future__ import annotations

from dataclasses import dataclass

from generator.plan_values import StringTemplate, var


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None = None


def split_image(image: str) -> ImageRef:
    """`registry:5000/org/app:1.2@sha256:…` → repository, tag, digest."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return ImageRef(image[:colon], image[colon + 1 :] or None, digest)
    return ImageRef(image, None, digest)


def image_with_tag_variable(
    repository: str, variable: str, before: str = "", after: str = ""
) -> StringTemplate:
    """`"<repository>:<before>${var.<variable>}<after>"`; the literal parts are escaped when
    rendered, so no image text can end the string."""
    return StringTemplate((f"{repository}:{before}", var(variable), after))
