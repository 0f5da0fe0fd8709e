import phonenumbers
import pytest

from backend.demo.structures import STRUCTURES, seed_structures
from backend.structures.models import Structure

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_dozen_structures_once(territory):
    assert seed_structures(territory) == (len(STRUCTURES), 0)
    assert seed_structures(territory) == (0, len(STRUCTURES))

    structures = Structure.objects.filter(territory=territory)
    assert structures.count() == len(STRUCTURES) >= 12
    assert all(s.needs and s.latitude and s.is_active for s in structures)
    assert all(phonenumbers.is_valid_number(s.phone) for s in structures)
    assert all(str(s.phone).startswith("+3353649") for s in structures)  # fiction range
    assert all(s.email.endswith("@example.org") for s in structures)


def test_a_demo_structure_changed_by_hand_is_left_as_it_is(territory):
    seed_structures(territory)
    structure = Structure.objects.get(external_id="ccas-mourenx")
    structure.description = "Modifiée"
    structure.save()

    seed_structures(territory)

    structure.refresh_from_db()
    assert structure.description == "Modifiée"
