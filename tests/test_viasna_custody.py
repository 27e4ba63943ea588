"""Who the Viasna import counts as in custody, with the ru, be and en exports of the same people.

Custody is read from the ru and be exports alone, by whole words: an English "home" once matched
"Homel" (Gomel), and everyone there vanished from the suggestions.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import select

from bot import db, importing
from bot.importing import files, viasna
from bot.models import Prisoner

# Towns with a prison, colony, remand prison or open-type facility: (ru, be, Latin as the en export
# may spell it, both the Belarusian and the Russian transliteration).
CITIES = [
    ("Гомель", "Гомель", "Homel (Gomel)"),
    ("Могилёв", "Магілёў", "Mahilyou (Mogilev)"),
    ("Бобруйск", "Бабруйск", "Babruisk (Bobruisk)"),
    ("Витебск", "Віцебск", "Vitsebsk (Vitebsk)"),
    ("п. Витьба", "п. Віцьба", "Vitsba (Vitba)"),
    ("Гродно", "Гродна", "Hrodna (Grodno)"),
    ("Новополоцк", "Наваполацк", "Navapolatsk (Novopolotsk)"),
    ("Орша", "Орша", "Orsha (Vorsha)"),
    ("Шклов", "Шклоў", "Shklou (Shklov)"),
    ("Ивацевичи", "Івацэвічы", "Ivatsevichy (Ivatsevichi)"),
    ("Жодино", "Жодзіна", "Zhodzina (Zhodino)"),
    ("Горки", "Горкі", "Horki (Gorki)"),
    ("Минск", "Мінск", "Minsk (Mensk)"),
    ("Волковыск", "Ваўкавыск", "Vaukavysk (Volkovysk)"),
    ("Мозырь", "Мазыр", "Mazyr (Mozyr)"),
    ("Речица", "Рэчыца", "Rechytsa (Rechitsa)"),
    ("Светлогорск", "Светлагорск", "Svetlahorsk (Svetlogorsk)"),
    ("Слоним", "Слонім", "Slonim"),
    ("Барановичи", "Баранавічы", "Baranavichy (Baranovichi)"),
    ("Брест", "Брэст", "Brest (Bierascie)"),
    ("Лида", "Ліда", "Lida"),
    ("Пинск", "Пінск", "Pinsk"),
    ("Жлобин", "Жлобін", "Zhlobin"),
    ("Глубокое", "Глыбокае", "Hlybokaye (Glubokoye)"),
    ("Новосады", "Навасады", "Navasady (Novosady)"),
    ("Любань", "Любань", "Liuban (Lyuban)"),
    ("Кобрин", "Кобрын", "Kobryn (Kobrin)"),
    ("Могилёвский р-н", "Магілёўскі р-н", "Mahilyou district, home of penal colony No. 15"),
]


def viasna_fields(number: int, name: str, prison: str, **more: str) -> dict[str, str]:
    fields = dict.fromkeys(viasna.HEADERS, "FALSE")
    fields.update(id=str(number), name=name, status="active", gender="male", birthday="1980", prison=prison)
    fields.update(more)
    return fields


def write_export(path: Path, rows: list[dict[str, str]]) -> files.RawFile:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=viasna.HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return files.read(path)


def three_exports(tmp_path: Path) -> list[files.RawFile]:
    """One person in custody per town, in the ru, be and en exports."""
    ru, be, en = [], [], []
    for number, (city_ru, city_be, city_en) in enumerate(CITIES, start=1):
        ru.append(viasna_fields(number, "Иван Иванов", f"ИК №{number}, г. {city_ru}\nул. Ленина, 1\nг. {city_ru}"))
        be.append(viasna_fields(number, "Іван Іваноў", f"ПК №{number}, г. {city_be}\nвул. Леніна, 1\nг. {city_be}"))
        en.append(viasna_fields(number, "Ivan Ivanou", f"Penal colony No. {number}, {city_en}\nLenina st, 1"))
    raw = [write_export(tmp_path / f"{language}.csv", rows) for language, rows in (("ru", ru), ("be", be), ("en", en))]
    assert [file.language for file in raw] == ["ru", "be", "en"]
    return raw


def test_nobody_in_custody_is_flipped_by_a_town_name(tmp_path: Path) -> None:
    plan = importing.plan(three_exports(tmp_path), existing={})
    assert (plan.errors, plan.skipped) == ([], [])
    assert len(plan.records) == len(CITIES)
    flipped = [record["institution_ru"] for record in plan.records if not record["in_custody"]]
    assert flipped == []
    for record in plan.records:  # the en export gives the Latin name, never the address
        assert record["name_en"] == "Ivan Ivanou"
        assert record["institution_ru"].startswith("ИК №") and record["institution_be"].startswith("ПК №")
        assert "Lenina" not in record["address_ru"] + record["address_be"]


@pytest.mark.parametrize(("city_ru", "city_be", "city_en"), CITIES)
def test_no_town_reads_as_a_special_value(city_ru: str, city_be: str, city_en: str) -> None:
    assert viasna.in_facility(f"ИК №1, г. {city_ru}\nадрес")
    assert viasna.in_facility(f"ПК №1, г. {city_be}\nадрас")
    assert viasna.in_facility(city_ru) and viasna.in_facility(city_be)


@pytest.mark.parametrize(
    "first_line",
    [
        "Освобождён", "освобождена", "Освобождены досрочно", "на свободе до суда", "Вышел на свободу",
        "неизвестно", "Местонахождение неизвестно", "под домашним арестом", "Домашняя химия",
        "Вызвалены", "вызвалена", "на волі да суда", "невядома", "пад хатнім арыштам", "Хатняя хімія",
        "на  свободе",
    ],
)  # fmt: skip
def test_special_values_in_ru_and_be_mean_not_in_custody(first_line: str) -> None:
    assert not viasna.in_facility(f"{first_line}\nг. Гомель")


def person(**languages: dict[str, str]) -> viasna.Joined:
    joined = viasna.Joined()
    for language, fields in languages.items():
        joined.by_language[language] = viasna.ViasnaRow(f"{language}.csv: line 2", fields)
    return joined


def test_the_en_export_never_decides_custody() -> None:
    ru = viasna_fields(1, "Иван", "ИК №4\nул. Антошкина, 3\n246035, г. Гомель")
    be = viasna_fields(1, "Іван", "ПК №4\nвул. Антошкіна, 3\n246035, г. Гомель")
    for en_prison in ("At home", "Released", "Unknown", "House arrest, Homel", ""):
        en = viasna_fields(1, "Ivan", en_prison)
        own, reason = viasna.to_own_row(person(ru=ru, be=be, en=en), None)
        assert reason is None and own is not None
        assert (own["in_custody"], own["institution_ru"]) == ("true", "ИК №4"), en_prison


def test_an_en_export_alone_keeps_custody_and_addresses_from_before() -> None:
    ru = viasna_fields(1, "Иван", "ИК №4\nул. Антошкина, 3\n246035, г. Гомель")
    be = viasna_fields(1, "Іван", "ПК №4\nвул. Антошкіна, 3\n246035, г. Гомель")
    before, _ = viasna.to_own_row(person(ru=ru, be=be), None)
    assert before is not None and before["in_custody"] == "true"
    own, reason = viasna.to_own_row(person(en=viasna_fields(1, "Ivan", "Released\nSomewhere, Homel")), before)
    assert reason is None and own is not None
    assert own == {**before, "name_en": "Ivan"}
    released, _ = viasna.to_own_row(person(en=viasna_fields(1, "Ivan", "Released", status="former")), before)
    assert released is not None and released["in_custody"] == "false"  # the status still counts


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"status": "jailed"}, "status 'jailed' is not one of active, former, np"),
        ({"status": "Active "}, None),
        ({"status": "FALSE"}, None),
        ({"status": ""}, None),
        ({"gender": "other"}, "gender 'other' is not male or female"),
        ({"gender": "FALSE"}, None),
        ({"gender": "Жанчына"}, None),
    ],
)
def test_problems_name_unknown_status_and_gender(values: dict[str, str], message: str | None) -> None:
    found = viasna.problems(person(ru=viasna_fields(1, "Иван", "ИК №1", **values)))
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0][0] == "ru.csv: line 2" and message in found[0][1], found


async def stored(database: db.Database) -> list[Prisoner]:
    async with database.transaction() as session:
        return list((await session.exec(select(Prisoner).order_by(Prisoner.source_id))).all())


async def test_all_three_exports_keep_everyone_in_custody(database: db.Database, tmp_path: Path) -> None:
    plan, counts = await importing.apply(database, three_exports(tmp_path), dry_run=False)
    assert plan.errors == [] and counts is not None and counts.new == len(CITIES)
    assert [p.source_id for p in await stored(database) if not p.in_custody] == []


async def test_unknown_status_or_gender_names_the_line_and_writes_nothing(
    database: db.Database, tmp_path: Path
) -> None:
    rows_ru = [viasna_fields(n, "Иван Иванов", f"ИК №{n}\nул. Ленина, 1\nг. Гомель") for n in (1, 2, 3)]
    rows_be = [viasna_fields(n, "Іван Іваноў", f"ПК №{n}\nвул. Леніна, 1\nг. Гомель") for n in (1, 2, 3)]
    rows_ru[1]["status"] = "detained"  # each row takes three lines (`prison` has three): line 5
    rows_be[2]["gender"] = "unknown"  # line 8
    raw = [write_export(tmp_path / "ru.csv", rows_ru), write_export(tmp_path / "be.csv", rows_be)]
    plan, counts = await importing.apply(database, raw, dry_run=False)
    assert counts is None
    assert plan.errors == [
        ("ru.csv: line 5", "status 'detained' is not one of active, former, np"),
        ("be.csv: line 8", "gender 'unknown' is not male or female"),
    ]
    assert await stored(database) == []


def test_a_person_never_imported_cannot_spoil_the_import_and_feminine_release_is_read() -> None:
    from bot.importing import viasna

    skipped = viasna.Joined({"ru": viasna.ViasnaRow("ru.csv: line 2", {"id": "9", "status": "np", "gender": "?"})})
    assert viasna.is_not_recognised(skipped)
    assert not viasna.in_facility("Вызваленая\n")
