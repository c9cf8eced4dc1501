"""Compound splitting skips "words" longer than text.MAX_WORD (a pasted hash, a run of letters): a split
of a 2,000-letter word is slow but would give the same ranking, so the skip is tested directly, on a
long word made of two stems the vocabulary knows (which the splitter would otherwise split)."""

from __future__ import annotations

from retrieval.lexical import LexicalIndex
from retrieval.text import MAX_WORD, Analyzer


def _long_compound(analyzer: Analyzer, length: int) -> tuple[str, set[str]]:
    head = "b" * (length - len("forslag"))
    word = head + "forslag"
    return word, {analyzer.stem(head), analyzer.stem("forslag")}


def test_a_compound_of_known_stems_up_to_the_limit_is_split():
    analyzer = Analyzer()
    word, vocabulary = _long_compound(analyzer, MAX_WORD)
    assert analyzer.compound_parts(word, vocabulary)  # the control: this pair of stems does split


def test_a_word_longer_than_the_limit_is_not_split():
    analyzer = Analyzer()
    for length in (MAX_WORD + 1, 2000):
        word, vocabulary = _long_compound(analyzer, length)
        assert analyzer.compound_parts(word, vocabulary) == ()


def test_the_query_analysis_does_not_split_an_over_long_word():
    analyzer = Analyzer()
    head = "b" * (MAX_WORD + 5)
    index = LexicalIndex([f"{head} og forslag om omstilling"], analyzer)
    [part] = index.analyse(head + "forslag").parts
    assert not part.known and part.terms == (head + "forslag",)  # not the two stems of a split
