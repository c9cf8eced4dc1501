"""A question that names something its document never mentions is not answered from that document."""

import pytest

from bot.types import Question
from retrieval.lexical import LexicalIndex
from retrieval.names import names_asked


@pytest.mark.parametrize("question, names", [
    ("Hvordan er direktoratene organisert i Sverige?", ("Sverige",)),
    ("How does Denmark's agency model compare with Norway's?", ("Denmark",)),  # the home country is no name
    ("Hva mener Graver-kommisjonen om NAV?", ("Graver", "NAV")),  # acronyms; the part before a hyphen
    ("Hva ble konsekvensene i EØS-saken?", ()),  # an acronym qualifying a common noun is a kind of thing
    ("Som HR-direktør lurer jeg på hva rapporten anbefaler?", ()),
    ("As a researcher on post-NPM reforms, I'd like to know what it says about Sweden?", ("Sweden",)),
    ("Hvem leder Strategisk forum?", ("Strategisk",)),
    ("Which core groups have been set up since June?", ()),  # English capitalises months
    # a year is asked about like a name; a series number and a century are not years
    ("Which core groups have been set up since June 2024?", ("2024",)),
    ("Hva sier rapport 2022:5 om tillit på 2000-tallet?", ()),
    ("Sverige eller Danmark?", ("Danmark",)),  # a sentence's first word may be capitalised for that alone
    # the asker's introduction of themselves is context, not what is asked about
    ("Jeg jobber i Skatteetaten. Hva sier rapporten om tillit?", ()),
    ("Jeg jobber i Tolletaten og lurer på hvor mange som flyttet?", ()),
    ("I work at NAV, what does the report say about Sweden?", ("Sweden",)),
    ("Jeg lurer på hva Riksrevisjonen mener?", ("Riksrevisjonen",)),  # wondering is not an introduction
    ("I'm a Danish trainee in a ministry, and my boss asks. What does the report say?", ()),
    # only the sentences that ask: the rest is context
    ("In NPM terms the ministries seem stuck. What does the report say about steering?", ()),
    ("hva sier rapporten om tillit", ()),
    ("Hva sier rapporten om " + "Ab" * 30 + "?", ()),  # a pasted run of letters is no name
    # whose view is asked for: a holder the document must mention, unless it is the document's own view
    ("Hva mente digitaliseringsministeren om rapporten?", ("digitaliseringsministeren",)),
    ("Kva sa kommunalministeren om funna?", ("kommunalministeren",)),
    ("Hva synes egentlig fagforeningene om hjemmekontor?", ("fagforeningene",)),
    ("Hva sier rapporten om styringsdialogen?", ()),
    ("hva sier raporten om funksjonsorganisering?", ()),  # the report, misspelt
    ("Kva meiner dei er det viktigaste rådet?", ()),
    ("Hva mener Difi om embetsverket?", ("Difi",)),
])
def test_the_names_a_question_asks_about(question, names):
    assert names_asked(question) == names


def test_a_document_that_never_mentions_a_name_does_not_hold_it():
    texts = ["Direktoratene i Norge har lange tradisjoner.", "Riksrevisjonen har sett på styringen av NAV.",
             "I Sverige er forvaltningsmodellen en annen."]
    index = LexicalIndex(texts)
    sweden = index.analyse("Hvordan er direktoratene organisert i Sverige?")
    assert index.unmentioned(sweden, 0, 2) == ("Sverige",)  # the first document: the first two texts
    assert index.unmentioned(sweden, 2, 3) == ()
    # an inflected name, and one the index has never seen anywhere
    assert index.unmentioned(index.analyse("Hva mente Riksrevisjonens ledelse?"), 0, 2) == ()
    assert index.unmentioned(index.analyse("Hva mener Finland om NAV?"), 0, 3) == ("Finland",)
    # words that are not names never count, whatever the texts lack
    assert index.unmentioned(index.analyse("Hva sier rapporten om klimatilpasning?"), 0, 1) == ()


def test_a_year_the_document_never_mentions_is_not_held():
    index = LexicalIndex(["Tallene gjelder 2021.", "Kjøpene økte fra 2019 til 2021."])
    assert index.unmentioned(index.analyse("Hvor mye brukte de i 2018?"), 0, 2) == ("2018",)
    assert index.unmentioned(index.analyse("Hvor mye brukte de i 2019?"), 0, 2) == ()


def test_an_english_institution_name_in_title_case_is_not_checked_word_by_word():
    # "the Norwegian Tax Administration" never meets "Skatteetaten" word by word
    assert names_asked("What happened to the Norwegian Tax Administration's levels?") == ()
    assert names_asked("What did the UK Cabinet Office say?") == ("UK",)


def test_a_compound_the_index_does_not_know_is_mentioned_only_when_each_part_is():
    index = LexicalIndex(["Helse er viktig for staten.", "En minister la fram en plan for helse."])
    asked = index.analyse("Hva mente helseministeren om rapporten?")
    assert index.unmentioned(asked, 0, 1) == ("helseministeren",)
    assert index.unmentioned(asked, 1, 2) == ()


def test_a_name_in_the_genitive_is_held_by_the_bare_name():
    index = LexicalIndex(["Ifølge Difi-rapporten var fem regioner vanligst."])
    assert index.unmentioned(index.analyse("Hvor mange regioner var vanligst ifølge Difis oversikt?"), 0, 1) == ()


def test_a_name_written_without_norwegian_letters_is_held():
    index = LexicalIndex(["Difi og DFØ har sett på departementene."])
    assert index.unmentioned(index.analyse("Hvem er DFO og Difi?"), 0, 1) == ()


def test_a_question_naming_what_the_report_never_mentions_is_refused_and_told_so(engine):
    answer = engine.respond(Question("Hvordan styrer departementene direktoratene i Sverige?"))
    assert answer.abstained and not answer.citations
    assert "Difi-rapport 2019:3 nevner ikke «Sverige»." in answer.text
    english = engine.respond(Question("How do ministries in Denmark steer their agencies?"))
    assert english.abstained and "does not mention «Denmark»" in english.text
    minister = engine.respond(Question("Hva mente helseministeren om funnene i rapporten?"))
    assert minister.abstained and "nevner ikke «helseministeren»" in minister.text
    # the same question about what the report does discuss is answered
    assert not engine.respond(Question("Hvordan styrer departementene direktoratene?")).abstained


async def test_the_chat_says_which_name_the_report_never_mentions_before_its_refusal(chat_service):
    answer = await chat_service.respond(Question("Hvordan styrer departementene direktoratene i Sverige?"))
    assert answer.abstained and not answer.citations
    first, rest = answer.text.split("\n", 1)
    assert first == "Difi-rapport 2019:3 nevner ikke «Sverige»."
    assert "sier ikke noe om dette" in rest  # the surface's own refusal follows, with its links
    nynorsk = await chat_service.respond(Question("Korleis styrer departementa direktorata i Sverige?"))
    assert nynorsk.text.startswith("Difi-rapport 2019:3 nemner ikkje «Sverige».")
