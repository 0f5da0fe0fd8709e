import factory

from backend.structures.enums import Need, StructureKind
from backend.structures.models import Structure, StructureContact
from tests.accounts.factories import TerritoryFactory


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Association d'entraide {n}")
    kind = StructureKind.ASSOCIATION
    description = "Accueil, écoute et orientation."
    needs = factory.LazyFunction(lambda: [Need.ISOLEMENT.value])
    address = "1 place d'Armes"
    postal_code = "64300"
    city = "Orthez"
    latitude = "43.488300"
    longitude = "-0.771900"
    phone = "+33536490000"
    email = factory.Sequence(lambda n: f"structure{n}@example.org")

    class Params:
        mission_locale = factory.Trait(
            name=factory.Sequence(lambda n: f"Mission locale — antenne {n}"),
            kind=StructureKind.MISSION_LOCALE,
            needs=[Need.EMPLOI.value, Need.FORMATION.value, Need.MOBILITE.value],
        )
        ccas = factory.Trait(
            name=factory.Sequence(lambda n: f"CCAS {n}"),
            kind=StructureKind.CCAS,
            needs=[Need.LOGEMENT.value, Need.DEMARCHES.value, Need.BUDGET.value],
        )
        cmp = factory.Trait(
            name=factory.Sequence(lambda n: f"CMP adultes {n}"),
            kind=StructureKind.CMP,
            needs=[Need.SANTE.value],
        )
        deactivated = factory.Trait(is_active=False)
        # Came from a CSV import with an identifier: a re-import updates it.
        imported = factory.Trait(
            external_source="csv", external_id=factory.Sequence(lambda n: f"ext-{n}")
        )


class StructureContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureContact

    structure = factory.SubFactory(StructureFactory)
    name = factory.Faker("name", locale="fr_FR")
    role = "Conseillère en insertion"
    phone = "+33536490001"
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
