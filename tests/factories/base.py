"""Pieces the factories share."""
import factory


def many_to_many(field: str) -> factory.PostGeneration:
    """A post-generation hook that sets the many-to-many `field` to the objects passed under its name."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(hook)
