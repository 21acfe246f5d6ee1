import factory

from accounts.models import Role, RoleAssignment, User
from deputies.models import Deputy
from regions.models import Region, build_path
from stations.models import Station
from suggestions.models import HandlingUnit

PASSWORD = "Testpass2026"


def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    obj, _ = Region.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": level, "parent": parent, "path": build_path(parent, code)},
    )
    return obj


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"联络站{n}")
    kind = Station.Kind.TOWNSHIP


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    name = factory.Sequence(lambda n: f"代表{n}")
    level = Deputy.Level.COUNTY


class HandlingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandlingUnit

    name = factory.Sequence(lambda n: f"承办单位{n}")


def user_with_role(username: str, role: str, **place) -> User:
    user = UserFactory(username=username)
    if "station" in place and "region" not in place:
        place["region"] = place["station"].region
    if "unit" in place and "region" not in place:
        place["region"] = place["unit"].region
    RoleAssignment.objects.create(user=user, role=role, **place)
    return user


__all__ = ["Role", "PASSWORD"]
