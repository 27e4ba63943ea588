"""Demo data for the sandbox: invented people, clearly marked, never real prisoners.

Names agree in be, ru and en; both genders; birthdays spread over the year with several in the
coming weeks; facility addresses that look like real ones in both languages; some people flagged as
letters-blocked or incommunicado, and a few released.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.importing import record

MEN = [
    ("Алесь", "Александр", "Ales"), ("Андрэй", "Андрей", "Andrei"), ("Сяргей", "Сергей", "Siarhei"),
    ("Дзмітрый", "Дмитрий", "Dzmitry"), ("Мікалай", "Николай", "Mikalai"), ("Павел", "Павел", "Pavel"),
    ("Віктар", "Виктор", "Viktar"), ("Ігар", "Игорь", "Ihar"), ("Юрый", "Юрий", "Yury"),
    ("Максім", "Максим", "Maksim"),
]  # fmt: skip
WOMEN = [
    ("Вольга", "Ольга", "Volha"), ("Марына", "Марина", "Maryna"), ("Алена", "Елена", "Alena"),
    ("Наталля", "Наталья", "Natallia"), ("Таццяна", "Татьяна", "Tatsiana"), ("Ксенія", "Ксения", "Ksenia"),
    ("Ганна", "Анна", "Hanna"), ("Ірына", "Ирина", "Iryna"), ("Людміла", "Людмила", "Liudmila"),
    ("Кацярына", "Екатерина", "Katsiaryna"),
]  # fmt: skip
# (be, ru, en) for a man, then for a woman where the surname changes with gender.
SURNAMES = [
    (("Каваленка", "Коваленко", "Kavalenka"), None), (("Шаўчук", "Шевчук", "Shauchuk"), None),
    (("Мельнік", "Мельник", "Melnik"), None), (("Ждановіч", "Жданович", "Zhdanovich"), None),
    (("Навіцкі", "Новицкий", "Navitski"), ("Навіцкая", "Новицкая", "Navitskaya")),
    (("Цімашкоў", "Тимошков", "Tsimashkou"), ("Цімашкова", "Тимошкова", "Tsimashkova")),
    (("Багданаў", "Богданов", "Bahdanau"), ("Багданава", "Богданова", "Bahdanava")),
    (("Грышкевіч", "Гришкевич", "Hryshkevich"), None), (("Сіняк", "Синяк", "Siniak"), None),
    (("Лазоўскі", "Лазовский", "Lazouski"), ("Лазоўская", "Лазовская", "Lazouskaya")),
]  # fmt: skip
FACILITIES = [
    ("ПК №4", "ИК №4", "вул. Антошкіна, 3\n246035, г. Гомель", "ул. Антошкина, 3\n246035, г. Гомель"),
    ("СІЗА №1", "СИЗО №1", "вул. Валадарскага, 2\n220030, г. Мінск", "ул. Володарского, 2\n220030, г. Минск"),
    ("ПК №15", "ИК №15", "Слаўгарадская шаша, 183\n213105, г. Магілёў",
     "Славгородское шоссе, 183\n213105, г. Могилёв"),
    ("ПК №3", "ИК №3", "п. Віцьба\n211323, Віцебскі р-н", "п. Витьба\n211323, Витебский р-н"),
    ("Турма №1", "Тюрьма №1", "вул. Кірава, 1\n230023, г. Гродна", "ул. Кирова, 1\n230023, г. Гродно"),
    ("ПК №2", "ИК №2", "вул. Сікорскага, 1\n213800, г. Бабруйск", "ул. Сикорского, 1\n213800, г. Бобруйск"),
]  # fmt: skip
INTERESTS = ["books", "music", "chess", "cooking", "gardening", "history", "films", "sport", "travel", "cats"]
BIO = {
    "bio_be": "Дэманстрацыйныя даныя: выдуманы чалавек.",
    "bio_ru": "Демонстрационные данные: вымышленный человек.",
    "bio_en": "Demo data: an invented person.",
}
COUNT = 44
# Birthdays this many days after the sandbox's first day. Suggestions put those within 21 days first,
# and a birthday reminder is due from 21 to 11 days before: a letter logged to one of the first four is
# followed by a reminder when the page's clock moves a day or a week on, to the last two a week on.
# Those 21-28 days away also fill the weekly "birthdays soon".
SOON = (19, 20, 21, 20, 25, 28)
LATER, LATER_STEP = 30, 9  # everyone else from a month on, spread over the rest of the year


def people(today: date) -> list[dict[str, Any]]:
    """The demo prisoners as column values, checked by the same parser as any import."""
    values = []
    for index in range(COUNT):
        woman = index % 2 == 1
        first = (WOMEN if woman else MEN)[index // 2 % 10]
        man_surname, woman_surname = SURNAMES[(index // 2 * 3 + index // 20) % len(SURNAMES)]
        last = (woman_surname or man_surname) if woman else man_surname
        be_inst, ru_inst, be_addr, ru_addr = FACILITIES[index % len(FACILITIES)]
        year = 1960 + (index * 7) % 40
        soon = index < len(SOON)
        if not soon and index % 9 == 0:
            birth_date = str(year)  # only the year is known
        else:
            # Counted from today, not fixed dates: no one else has a birthday within the three weeks that
            # put people first in suggestions, whose reminders would not come after a move of the clock.
            days = SOON[index] if soon else LATER + (index - len(SOON)) * LATER_STEP
            birthday = today + timedelta(days=days)
            if (birthday.month, birthday.day) == (2, 29):
                year -= year % 4  # born on 29 February in a leap year (every fourth one in 1960-1999)
            birth_date = f"{year}-{birthday.month:02d}-{birthday.day:02d}"
        released = index % 13 == 12
        row = {
            "source_id": f"demo-{index + 1:03d}",
            "name_be": f"{first[0]} {last[0]}", "name_ru": f"{first[1]} {last[1]}",
            "name_en": f"{first[2]} {last[2]}",
            "gender": "female" if woman else "male",
            "birth_date": birth_date,
            "arrest_date": f"{2020 + index % 5}-{index % 12 + 1:02d}",
            "status": "released" if released else "active",
            "institution_be": "" if released else be_inst, "institution_ru": "" if released else ru_inst,
            "address_be": "" if released else be_addr, "address_ru": "" if released else ru_addr,
            "letters_blocked": "true" if index % 7 == 3 else "false",
            "incommunicado": "true" if index % 11 == 5 else "false",
            "interests": ";".join(INTERESTS[(index + k) % len(INTERESTS)] for k in range(index % 3 + 1)),
            **BIO,
        }  # fmt: skip
        parsed = record.parse_row(row, f"demo {index + 1}")
        assert not parsed.errors, parsed.errors
        values.append(parsed.values)
    return values
