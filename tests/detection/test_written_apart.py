"""Phrases written apart from the rules (``written_apart/``): the shipped hybrid's recall on them may not drop, and
no harmless lookalike that was read to write rules may open a case. The floors are what docs/model.md reports (sessions
21 to 26); a change that lowers one must say why there and lower it here. The ``*_unread`` files, ``hi_risk_5`` and the
``*_fresh*`` files were never read to write rules or train a head: they measure phrasing nobody tuned the detector on,
so their lookalikes are held to a ceiling instead of being read and fixed. (The read files also train the short-chat
head, so their floors say little about new phrasing; the ``*_train3`` files were written only to train it.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from lifeguard.config import Settings
from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import HybridDetector

WRITTEN_APART = Path(__file__).with_name("written_apart")

# Messages read at ideation or above (a case), per file and script: (Devanagari, any other script). Session 25's act
# head raised most; against the session's start only ``hi_risk_1``'s Devanagari count fell (64 -> 63: "अभी कर रहा हूँ,
# सबको माफ़ करना", which the short-chat head, retrained beside everyday "doing it now" lines, no longer raises, and the
# act head alone does not lift the Devanagari gate). The heads retrained on the act lines (``*_acts_train5``,
# ``hi_latn_acts_train6``) moved a line or two on most files and gave back a few of the act head's first gains on read
# files (``en_risk_train3`` 259 -> 247, against 198 at the start).
# Session 29 (masks that hid the writer's risk, household poisons, plain first-person acts, Devanagari guards at word
# edges) raised the floors where its figures rose: never-read sets 1,714 -> 1,721 of 3,110.
# Session 30 (pills saved by skipping doses, all of them with drink, a goodbye after the medicine is finished; whether a
# rope will hold the writer's weight): 1,723.
RECALL_FLOORS = {
    "hi_risk_1.tsv": (63, 66),
    "hi_risk_2.tsv": (59, 60),
    "hi_risk_3.tsv": (51, 45),
    "hi_risk_4.tsv": (55, 59),
    "en_risk_dev.tsv": (0, 92),
    "en_risk_held.tsv": (0, 96),
    "zh_risk_dev.tsv": (0, 84),
    "zh_risk_held.tsv": (0, 95),
    "en_risk_unread.tsv": (0, 103),
    "zh_risk_unread.tsv": (0, 106),  # 105 until session 31 read traditional Chinese as simplified
    "hi_risk_5.tsv": (44, 46),
    "en_risk_fresh.tsv": (0, 63),
    "zh_risk_fresh.tsv": (0, 53),
    "hi_risk_fresh.tsv": (34, 40),
    "en_risk_fresh2.tsv": (0, 65),
    "zh_risk_fresh2.tsv": (0, 74),
    "zh_risk_train3.tsv": (0, 258),
    "hi_risk_train3.tsv": (98, 126),
    "en_risk_train3.tsv": (0, 249),
    "en_risk_fresh3.tsv": (0, 104),
    "zh_risk_fresh3.tsv": (0, 99),
    "hi_risk_fresh3.tsv": (49, 50),
    "en_risk_fresh4.tsv": (0, 102),
    "zh_risk_fresh4.tsv": (0, 81),
    "en_risk_fresh5.tsv": (0, 91),
    "en_acts_train5.tsv": (0, 143),
    "hi_acts_train5.tsv": (44, 88),
    "zh_acts_train5.tsv": (0, 172),
    "hi_latn_acts_train6.tsv": (0, 171),
    "hi_risk_fresh4.tsv": (49, 42),
    # acts under way or at hand, never read (session 25): 25, 31, 20 + 7 at the session's start
    "en_acts_fresh6.tsv": (0, 57),
    "zh_acts_fresh6.tsv": (0, 53),
    "hi_acts_fresh6.tsv": (31, 23),
    # the same, from another brief (hurried, voice-typed, to strangers and drivers), counted twice: 17, 34, 10 + 8 at
    # the session's start
    "en_acts_fresh7.tsv": (0, 48),
    "zh_acts_fresh7.tsv": (0, 56),
    "hi_acts_fresh7.tsv": (16, 19),
    # romanized Hindi acts above all (session 26: 80 + 80 romanized, 40 + 40 Devanagari), written before two variants
    # of the heads were tried on it and not kept; counted ten times, chose nothing shipped; session 27's rules for acts
    # said plainly (counted twice more) found one more Devanagari line here, one in hi_risk_fresh, two in en_acts_fresh7
    "hi_acts_fresh8.tsv": (40, 86),
    # the writer at risk, naming someone else in every line (session 27: "mom hid her pills but i found them"); half
    # read to build the second reading of reports, half never read (counted at the start, at the end, and once more
    # after a change was taken back): the second reading leaves the writer's own level as it was
    "self_others_en_dev.tsv": (0, 37),
    "self_others_zh_dev.tsv": (0, 42),
    "self_others_hi_dev.tsv": (19, 18),
    "self_others_en_fresh9.tsv": (0, 44),
    "self_others_zh_fresh9.tsv": (0, 45),
    "self_others_hi_fresh9.tsv": (13, 20),
    # Hindi written after session 28 read the Hindi fresh9 halves: never read, counted once before and once after
    # the change it was to judge (kin words without "my" as the subject of what is told)
    "self_others_hi_fresh10.tsv": (24, 18),
    # English and Chinese of the same kinds, never read (session 28): counted before and after English rules for reports
    # that were then taken back (docs/model.md)
    "self_others_en_fresh10.tsv": (0, 33),
    "self_others_zh_fresh10.tsv": (0, 40),
    # the writer's own risk with medicines in it (session 30; a helper's brief: stockpiles, lethal amounts asked, pills
    # at hand, pills already down, many lines without the usual words), never read: counted at the session's start (66,
    # 30 + 22, 44), then about twenty times, each for a change judged by a rule written first (docs/model.md): the
    # English rules (67) and the Chinese and Hindi ones written from the session's own probes (Hindi 33 + 23) stayed
    "meds_risk_fresh11_en.tsv": (0, 67),
    "meds_risk_fresh11_zh.tsv": (0, 44),
    "meds_risk_fresh11_hi.tsv": (33, 23),
    # terse medicine risk written to retrain the short-chat heads (session 30); the retrained heads failed the rule
    # written before them and were not kept, so no head learnt these lines: read, their floors are the shipped heads'
    "meds_risk_train12_en.tsv": (0, 84),
    "meds_risk_train12_zh.tsv": (0, 33),
    "meds_risk_train12_hi.tsv": (32, 19),
}
# Reports about someone else at risk (session 27; the level is that person's): how many the hybrid reads as someone
# else's risk at ideation or above with the writer's own below it (floors), and how many it reads as the writer's own
# risk (ceilings). Never-read halves: 43 and 33 at the session's start, 53 and 33 with the second reading of reports,
# 54 and 33 with quoted words read as the speaker's (a fourth count). Session 28 read the Hindi fresh9 halves (after a
# pre-registered check on them failed) and judged Hindi kin words as subjects on new never-read Hindi: 4 -> 15 and
# 30 -> 20 (fresh10), the writer's own risk in self_others_hi_fresh10 unchanged (41 with a case). Session 29 let the
# model alone give a retold report's subject ideation at P >= 0.6 instead of 0.9 (chosen on the read halves, judged by a
# rule written first on the never-read ones: English fresh9 28 -> 32, Chinese fresh9 21 -> 24, Chinese fresh10 41 -> 44,
# the others unchanged; no writer's count moved). Its rules for household poisons and plain acts then found one more
# in the Chinese and Hindi fresh9 halves.
REPORT_FLOORS = {
    "reports_en_dev.tsv": (41, 8),
    "reports_zh_dev.tsv": (29, 14),
    "reports_hi_dev.tsv": (18, 12),
    "reports_en_fresh9.tsv": (32, 5),
    "reports_zh_fresh9.tsv": (25, 8),
    "reports_hi_fresh9.tsv": (16, 14),
    "reports_hi_fresh10.tsv": (15, 20),
    "reports_en_fresh10.tsv": (20, 5),
    "reports_zh_fresh10.tsv": (44, 10),
}
LOOKALIKES = ("hi_lookalike_1.txt", "hi_lookalike_2.txt", "en_lookalike.txt", "zh_lookalike.txt", "lookalike_aimed.txt")
# Lookalikes and everyday chat written to train the short-chat head (session 24): the rules' cases on them were mended;
# the cases left are the four heads' or the head's on short everyday lines (docs/model.md, "Hindi, everyday chat and a
# balance by weight"), which the rules cannot take back without hiding risk.
HEAD_TRAINING_CEILINGS = {
    "zh_lookalike_train3.txt": 1,
    "hi_lookalike_train3.txt": 0,
    "en_lookalike_train3.txt": 2,
    "everyday_train3_en.txt": 2,
    "everyday_train3_zh.txt": 0,
    "everyday_train3_hi_deva.txt": 0,
    "everyday_train3_hi_latn.txt": 3,
    # everyday acts, places and plans written to train the act head (session 25), as hard negatives
    "everyday_train4_en.txt": 0,
    "everyday_train4_zh.txt": 2,
    "everyday_train4_hi_deva.txt": 0,
    "everyday_train4_hi_latn.txt": 2,
    # acts' lookalikes written to train the act head (session 25): the rules' cases on them were mended
    "en_acts_lookalike_train5.txt": 3,
    "zh_acts_lookalike_train5.txt": 4,
    "hi_acts_lookalike_train5.txt": 0,
    "hi_latn_acts_lookalike_train6.txt": 2,
}
# Read files no head has learnt from: terse everyday medicine written to retrain the heads (session 30), which failed
# the rule written before them and were not kept (docs/model.md). The shipped heads read "pills" in a short English line
# as behavior whatever else it says ("hay fever pills again"); the cases are held to their count.
READ_UNLEARNT_CEILINGS = {
    "everyday_meds_train12_en.txt": 18,
    "everyday_meds_train12_zh.txt": 3,
    "everyday_meds_train12_hi_deva.txt": 0,
    "everyday_meds_train12_hi_latn.txt": 2,
}
# Lookalikes and everyday chat nobody has read: the cases they open may not grow beyond their count when they were
# written (session 22: 1, 4, 2; session 23's ``*_fresh`` files: 0, 3, 6; ``*_fresh2``: 2, 6, the same with and without
# the short-chat head; session 24's ``*_fresh3``: 4, 7, 1 and ``*_fresh4``: 2, 5, 4 with its head (3, 5, 4 before it),
# and its everyday chat: none). ``hi_lookalike_fresh`` opened 6 until session 24 let a Devanagari line the short-chat
# head raised keep ideation, which found 67 more of 290 never-read Devanagari risk messages (docs/model.md);
# ``zh_lookalike_fresh2`` opened 6 until session 24's masks. ``en_lookalike_unread``, ``hi_lookalike_unread`` and
# ``en_lookalike_fresh5`` open one more each since session 25's act head, which found 219 more of 2,150 never-read risk
# messages (the lines were not read).
UNREAD_LOOKALIKE_CEILINGS = {
    "en_lookalike_unread.txt": 2,
    "zh_lookalike_unread.txt": 4,
    "hi_lookalike_unread.txt": 3,
    "en_lookalike_fresh.txt": 0,
    "zh_lookalike_fresh.txt": 3,
    "hi_lookalike_fresh.txt": 7,
    "en_lookalike_fresh2.txt": 2,
    "zh_lookalike_fresh2.txt": 5,
    "en_lookalike_fresh3.txt": 4,
    "zh_lookalike_fresh3.txt": 7,
    "hi_lookalike_fresh3.txt": 1,
    "en_lookalike_fresh4.txt": 3,
    "zh_lookalike_fresh4.txt": 5,
    "hi_lookalike_fresh4.txt": 4,
    "en_lookalike_fresh5.txt": 4,
    "everyday_fresh3_en.txt": 0,
    "everyday_fresh3_zh.txt": 0,
    "everyday_fresh3_hi_deva.txt": 0,
    "everyday_fresh3_hi_latn.txt": 0,
    # the acts' lookalikes nobody has read (session 25): 4, 3, 2 at the session's start
    "en_acts_lookalike_fresh6.txt": 7,
    "zh_acts_lookalike_fresh6.txt": 4,
    "hi_acts_lookalike_fresh6.txt": 2,
    # and from the other brief: 1, 0, 0 at the session's start
    "en_acts_lookalike_fresh7.txt": 3,
    "zh_acts_lookalike_fresh7.txt": 3,
    "hi_acts_lookalike_fresh7.txt": 0,
    # session 26's never-read Hindi acts' lookalikes and everyday romanized chat: 5 and 0 when written
    "hi_acts_lookalike_fresh8.txt": 5,
    "everyday_fresh8_hi_latn.txt": 0,
    # everyday medicine talk (session 30: storing, refills, missed doses, side effects, a parent's pills), never read:
    # the same cases at the session's start, with masks for such talk (taken back: they changed none) and at its end
    "everyday_meds_fresh11_en.txt": 0,
    "everyday_meds_fresh11_zh.txt": 3,
    "everyday_meds_fresh11_hi_deva.txt": 2,
    "everyday_meds_fresh11_hi_latn.txt": 4,
}


def _devanagari(text: str) -> bool:
    return any("\u0900" <= char <= "\u097f" for char in text)


def _risk(name: str) -> list[tuple[Level, str]]:
    rows = []
    for line in (WRITTEN_APART / name).read_text(encoding="utf-8").splitlines():
        level, text = line.split("\t", 1)
        rows.append((Level(level), text))
    return rows


def test_every_file_is_well_formed() -> None:
    for name in RECALL_FLOORS:
        rows = _risk(name)
        assert rows and all(level >= Level.IDEATION for level, _ in rows), name
        assert len({text for _, text in rows}) == len(rows), name
    for name in (*LOOKALIKES, *HEAD_TRAINING_CEILINGS, *UNREAD_LOOKALIKE_CEILINGS, *READ_UNLEARNT_CEILINGS):
        lines = (WRITTEN_APART / name).read_text(encoding="utf-8").splitlines()
        assert len(lines) >= 120 and len(set(lines)) == len(lines) and all(lines), name
    for name in REPORT_FLOORS:
        rows = _risk(name)
        assert rows and all(level >= Level.IDEATION for level, _ in rows), name
        assert len({text for _, text in rows}) == len(rows), name
    listed = {
        *RECALL_FLOORS,
        *REPORT_FLOORS,
        *LOOKALIKES,
        *HEAD_TRAINING_CEILINGS,
        *UNREAD_LOOKALIKE_CEILINGS,
        *READ_UNLEARNT_CEILINGS,
        "README.md",
    }
    assert {path.name for path in WRITTEN_APART.iterdir()} == listed  # a new file is measured here


@pytest.mark.parametrize("name", sorted(RECALL_FLOORS))
def test_recall_on_phrases_written_apart_does_not_drop(production: HybridDetector, name: str) -> None:
    rows = _risk(name)
    results = production.assess_many([TextInput(text) for _, text in rows])
    found = [0, 0]
    for (_, text), result in zip(rows, results, strict=True):
        if result.level >= Level.IDEATION:
            found[0 if _devanagari(text) else 1] += 1
    assert found[0] >= RECALL_FLOORS[name][0] and found[1] >= RECALL_FLOORS[name][1], (name, found)


@pytest.mark.parametrize("name", sorted(REPORT_FLOORS))
def test_reports_about_someone_else_are_read_as_theirs_no_less_often(production: HybridDetector, name: str) -> None:
    rows = _risk(name)
    results = production.assess_many([TextInput(text) for _, text in rows])
    theirs = sum(
        result.level < Level.IDEATION and result.support and result.third_party_level >= Level.IDEATION
        for result in results
    )
    the_writers = sum(result.level >= Level.IDEATION for result in results)
    floor, ceiling = REPORT_FLOORS[name]
    assert theirs >= floor and the_writers <= ceiling, (name, theirs, the_writers)


def _cases(production: HybridDetector, name: str) -> list[tuple[str, str, tuple[str, ...]]]:
    lines = (WRITTEN_APART / name).read_text(encoding="utf-8").splitlines()
    floor = Settings().case_floor
    results = production.assess_many([TextInput(line) for line in lines])
    return [
        (line, result.level.value, result.reasons)
        for line, result in zip(lines, results, strict=True)
        if result.level >= floor
    ]


@pytest.mark.parametrize("name", LOOKALIKES)
def test_no_lookalike_written_apart_opens_a_case(production: HybridDetector, name: str) -> None:
    assert _cases(production, name) == []


@pytest.mark.parametrize("name", sorted(UNREAD_LOOKALIKE_CEILINGS))
def test_unread_lookalikes_open_no_more_cases_than_when_written(production: HybridDetector, name: str) -> None:
    assert len(_cases(production, name)) <= UNREAD_LOOKALIKE_CEILINGS[name]


@pytest.mark.parametrize("name", sorted(HEAD_TRAINING_CEILINGS))
def test_lines_the_head_learnt_as_ordinary_open_no_more_cases_than_counted(
    production: HybridDetector, name: str
) -> None:
    assert len(_cases(production, name)) <= HEAD_TRAINING_CEILINGS[name]


@pytest.mark.parametrize("name", sorted(READ_UNLEARNT_CEILINGS))
def test_read_lines_no_head_learnt_open_no_more_cases_than_counted(production: HybridDetector, name: str) -> None:
    assert len(_cases(production, name)) <= READ_UNLEARNT_CEILINGS[name]
