"""The answer model's domain errors; the CLI and the service translate them at their edge."""


class ModelError(Exception):
    """Base class: the message names the bad value and the fix."""


class ModelNotFound(ModelError):
    """A base model or adapter is not installed, or its file does not match the pinned sha256."""


class GenerationError(ModelError):
    """The backend failed while loading or generating."""
