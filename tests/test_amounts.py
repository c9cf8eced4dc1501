"""A question for an amount is answered only by text holding the kind of amount it asks for."""

import pytest

from retrieval.amounts import AmountAsked, amount_asked, holds_amount
from retrieval.text import Analyzer

ANALYZER = Analyzer()


@pytest.mark.parametrize("question, kind", [
    ("Kor ofte møtest gruppa?", "often"), ("Hvor lenge varte forsøket?", "long"),
    ("Hvor stor andel kjenner strategien?", "share"), ("What percentage of the staff answered?", "share"),
    ("Hvor mye kostet evalueringen?", "money"), ("How much did the evaluation cost?", "money"),
    ("Hvor mange intervjuer bygger rapporten på?", "count"), ("Hva er antall embeter nå?", "count"),
    ("Hvor mye stoler folk på NAV?", "other"), ("Hva sier rapporten om tillit?", None),
])
def test_the_kind_of_amount_asked_for(question, kind):
    asked = amount_asked(question, ANALYZER)
    assert (asked.kind if asked else None) == kind


def test_a_count_names_what_is_counted_or_nothing():
    assert amount_asked("Hvor mange intervjuer bygger rapporten på?", ANALYZER).counted == "intervju"
    assert amount_asked("Hvor mange nye klagenemnder kom til?", ANALYZER).counted == "klagenemnd"
    # a verb after "hvor mange": nothing named, so any number answers
    assert amount_asked("Hvor mange jobber i NAV?", ANALYZER) == AmountAsked("count", "")
    assert amount_asked("Hvor mange var med i undersøkelsen?", ANALYZER) == AmountAsked("count", "")
    assert amount_asked("Hvor mange?", ANALYZER) == AmountAsked("count", "")


@pytest.mark.parametrize("question, text, holds", [
    # a count: a number near what is counted, in a compound or an inflection too
    ("Hvor mange intervjuer bygger rapporten på?", "DFØ gjennomførte til sammen 75 semistrukturerte dybdeintervjuer.", True),
    ("Hvor mange hovedutfordringer ser rapporten?", "Vi ser fire hovedutfordringer:", True),
    ("Hvor mange kommuner svarte?", "Spørsmålene gikk til 120 statlige ledere, ikke til kommunene.", False),
    # footnote markers and years are not amounts
    ("Hvor mange kommuner svarte?", "Undersøkelsen [3] ble sendt til alle kommuner i 2021.", False),
    ("Hvor mange?", "Undersøkelsen ble sendt ut i 2021.[4]", False),
    ("Hvor mange?", "Det var 14 deltakere.", True),
    # money: a sum, not any number
    ("Hvor mye kostet evalueringen?", "DFØ gjennomførte 75 intervjuer i evalueringen.", False),
    ("Hvor mye kostet evalueringen?", "Evalueringen kostet 2,5 millioner kroner.", True),
    # a share, a frequency, a duration
    ("Hvor stor andel kjenner strategien?", "Syv av ti ansatte har hørt om strategien.", True),
    ("Hvor stor andel kjenner strategien?", "Mange ansatte har hørt om strategien.", False),
    ("Kor ofte møtest gruppa?", "Gruppa møtes hver måned.", True),
    ("Kor ofte møtest gruppa?", "Gruppa møtes i departementet.", False),
    ("Hvor lenge varte forsøket?", "Forsøket hadde vart i rundt tre år.", True),
    ("Hvor lenge varte forsøket?", "Forsøket startet i 2021.", False),
])
def test_a_text_holds_the_amount_asked_for_or_not(question, text, holds):
    assert holds_amount(amount_asked(question, ANALYZER), text, ANALYZER) is holds
