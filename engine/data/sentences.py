"""A fixed vocabulary and a small grammar of review sentences (no download).

Words come in groups: positive and negative adjectives, neutral adjectives,
intensifiers ("very"), negation words ("not", "never", "hardly"), liking and
disliking verbs ("loved", "hated"), sentiment nouns ("joy", "waste"), six topics
(film, food, service, book, music, hotel) with their nouns, verbs and places,
and function words. Id 0 is the padding token PAD, id 1 the unknown word UNK.

Two generators draw from the grammar with a seeded generator:

* :func:`unlabelled_corpus` writes plain text without labels. Each sentence has a
  hidden mood, and the words near a positive adjective are mostly other positive
  words ("great and lovely", "i loved the film"), as in real reviews, so vectors
  learned from co-occurrence put words of similar meaning near each other.
* :func:`sentiment_set` writes labelled sentences (1 positive, 0 negative). The
  label is the polarity of the one sentiment word (adjective or verb), flipped
  when a negation word comes before it: "not good" is negative, "not very bad"
  and "i did not hate the film" are positive. Whether a sentence is negated does
  not depend on its label, so a bag of words, which sees "not" and "good" but not
  their order, gets negated sentences wrong; a 1-D convolution over 2- to 4-grams
  can see "not good", "not very good", "not a good".

Sentences are lists of lower-case words; the labelled set also gives token ids,
an int64 array (n, max_len) right-padded with PAD.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PAD, UNK = 0, 1
SPECIALS = ("<pad>", "<unk>")

POSITIVE = ("good", "great", "excellent", "wonderful", "superb", "lovely", "brilliant",
            "delightful", "pleasant", "amazing", "fantastic", "enjoyable", "charming",
            "perfect", "beautiful", "fun")
NEGATIVE = ("bad", "terrible", "awful", "horrible", "poor", "dreadful", "boring", "dull",
            "disappointing", "mediocre", "weak", "bland", "nasty", "painful", "ugly", "awkward")
NEUTRAL = ("long", "short", "new", "old", "big", "small", "recent", "local", "french",
           "italian", "second", "whole")
INTENSIFIERS = ("very", "really", "truly", "so", "extremely", "quite", "incredibly", "totally")
ATTRIBUTIVE = ("very", "really", "truly", "extremely", "incredibly")
"""Intensifiers that read well between an article and an adjective ("a very good")."""
VERB_INTENSIFIERS = ("really", "truly", "totally")
NEGATORS = ("not", "never", "hardly")
#: liking and disliking verbs as (past, base) pairs
LIKE = (("liked", "like"), ("loved", "love"), ("enjoyed", "enjoy"), ("adored", "adore"))
DISLIKE = (("hated", "hate"), ("disliked", "dislike"), ("loathed", "loathe"),
           ("regretted", "regret"))
JOY = ("joy", "pleasure", "delight", "treat", "gem", "triumph")
WASTE = ("waste", "mess", "disaster", "letdown", "chore", "failure")
#: topic -> (nouns, neutral past-tense verbs, places)
TOPICS = {
    "film": (("film", "movie", "plot", "acting", "cast", "ending", "script"),
             ("watched", "saw", "reviewed"), ("cinema", "festival", "theatre")),
    "food": (("food", "meal", "dinner", "soup", "pasta", "dessert", "pizza"),
             ("ate", "ordered", "tasted"), ("restaurant", "cafe", "bistro")),
    "service": (("service", "staff", "waiter", "reception", "delivery", "support"),
                ("called", "contacted", "met"), ("desk", "counter", "office")),
    "book": (("book", "novel", "story", "chapter", "poem", "biography"),
             ("read", "finished", "borrowed"), ("library", "bookshop", "school")),
    "music": (("album", "song", "concert", "band", "record", "melody"),
              ("heard", "played", "bought"), ("club", "hall", "studio")),
    "hotel": (("hotel", "room", "bed", "pool", "view", "breakfast"),
              ("booked", "visited", "reserved"), ("resort", "coast", "village")),
}
DETERMINERS = ("the", "this", "that", "our", "my", "their")
COPULAS = ("was", "is", "seemed", "felt", "looked")
PREFIXES = (("honestly",), ("overall",), ("frankly",), ("well",), ("yesterday",), ("today",),
            ("to", "be", "honest"), ("in", "the", "end"), ("all", "in", "all"),
            ("last", "night"), ("this", "time"), ("i", "think"), ("i", "thought"))
SUFFIXES = (("today",), ("again",), ("last", "night"), ("this", "week"), ("for", "us"),
            ("with", "my", "friends"), ("with", "our", "family"), ("after", "work"),
            ("at", "the", "weekend"), ("on", "our", "trip"), ("in", "my", "opinion"))
OTHER = ("a", "an", "it", "i", "we", "and", "did", "what", "would", "will", "recommend",
         "avoid", "come", "back", "but", "at")


def _vocabulary() -> tuple[str, ...]:
    groups: list[Sequence[str]] = [SPECIALS, POSITIVE, NEGATIVE, NEUTRAL, INTENSIFIERS,
                                   NEGATORS, [w for pair in LIKE + DISLIKE for w in pair],
                                   JOY, WASTE]
    for nouns, verbs, places in TOPICS.values():
        groups += [nouns, verbs, places]
    groups += [DETERMINERS, COPULAS, *PREFIXES, *SUFFIXES, OTHER]
    return tuple(dict.fromkeys(w for group in groups for w in group))


VOCAB: tuple[str, ...] = _vocabulary()
"""All words, PAD first and UNK second (216 of them)."""
INDEX: dict[str, int] = {w: i for i, w in enumerate(VOCAB)}
MIN_LEN = 6
"""Shortest ``max_len`` the labelled grammar fits in (e.g. "i did not like the film")."""
NEGATION_RATE = 0.35
"""Share of labelled sentences with a negation word."""


class Draw:
    """Uniform picks from a seeded generator, drawn in blocks (a call per word to
    ``Generator.choice`` would be about 30 times slower)."""

    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self.rng, self.block = rng, block
        self._u, self._i = rng.random(block), 0

    def uniform(self) -> float:
        if self._i == self.block:
            self._u, self._i = self.rng.random(self.block), 0
        self._i += 1
        return float(self._u[self._i - 1])

    def coin(self, p: float) -> bool:
        return self.uniform() < p

    def pick(self, options: Sequence):
        return options[int(self.uniform() * len(options))]


def articles(words: list[str]) -> list[str]:
    """Make every "a"/"an" agree with the word after it ("an awful", "a good")."""
    out = list(words)
    for i in range(len(out) - 1):
        if out[i] in ("a", "an"):
            out[i] = "an" if out[i + 1][0] in "aeiou" else "a"
    return out


# ------------------------------------------------------------------ unlabelled text


def _unlabelled_sentence(d: Draw) -> list[str]:
    good = d.coin(0.5)
    adjs, opposite = (POSITIVE, NEGATIVE) if good else (NEGATIVE, POSITIVE)
    verbs = LIKE if good else DISLIKE
    nouns, topic_verbs, places = TOPICS[d.pick(tuple(TOPICS))]
    noun, subject = d.pick(nouns), [d.pick(DETERMINERS), d.pick(nouns)]
    intensify = [d.pick(INTENSIFIERS)] if d.coin(0.3) else []
    u = d.uniform()
    if u < 0.2:
        words = [*subject, d.pick(COPULAS), *intensify, d.pick(adjs), "and", d.pick(adjs)]
    elif u < 0.35:
        also = ["and", d.pick(verbs)[0]] if d.coin(0.5) else []  # "loved and adored"
        words = ["i", *([d.pick(VERB_INTENSIFIERS)] if d.coin(0.3) else []),
                 d.pick(verbs)[0], *also, "the", *([d.pick(adjs)] if d.coin(0.5) else []), noun]
    elif u < 0.45:
        words = ["what", "a", *([d.pick(ATTRIBUTIVE)] if intensify else []), d.pick(adjs), noun]
    elif u < 0.55:
        words = ["it", "was", "a", d.pick(adjs), d.pick(JOY if good else WASTE)]
    elif u < 0.72:
        nadj = [d.pick(NEUTRAL)] if d.coin(0.5) else []
        words = ["we", d.pick(topic_verbs), "the", *nadj, noun, "at", "the", d.pick(places)]
    elif u < 0.8:
        words = [*subject, "was", d.pick(adjs), "and", "i", d.pick(verbs)[0], "it"]
    elif u < 0.88:
        words = (["i", "would", "recommend", "the", noun] if good
                 else ["i", "would", "avoid", "the", noun])
        words += (["and", "will", "come", "back"] if good else ["and", "will", "never",
                                                                "come", "back"])
    else:  # negated opposite, then the real mood: "was not bad but lovely"
        negator = d.pick(NEGATORS)
        if d.coin(0.5):
            words = [*subject, "was", negator, d.pick(opposite), "but", *intensify,
                     d.pick(adjs)]
        else:
            other = DISLIKE if good else LIKE
            words = ["i", "did", "not", d.pick(other)[1], "the", noun, "it", "was",
                     d.pick(adjs)]
    if d.coin(0.2):
        words = [*d.pick(PREFIXES), *words]
    if d.coin(0.3):
        words += d.pick(SUFFIXES)
    return articles(words)


def unlabelled_corpus(n_sentences: int, rng: np.random.Generator) -> list[list[str]]:
    """``n_sentences`` sentences of plain text (lists of words), no labels."""
    d = Draw(rng)
    return [_unlabelled_sentence(d) for _ in range(int(n_sentences))]


# ------------------------------------------------------------------ labelled sentences


def _labelled_parts(d: Draw, polar: bool, negated: bool) -> list[tuple[list[str], int]]:
    """One sentence as (words, drop rank) parts; rank 0 is required, and when the
    sentence is too long the part with the highest rank is dropped first."""
    nouns = TOPICS[d.pick(tuple(TOPICS))][0]
    noun_phrase = [([d.pick(DETERMINERS)], 0), ([d.pick(NEUTRAL)] if d.coin(0.3) else [], 2),
                   ([d.pick(nouns)], 0)]
    adj = d.pick(POSITIVE if polar else NEGATIVE)
    negator = d.pick(NEGATORS) if negated else ""
    u = d.uniform()
    if u < 0.45:  # the film was (not) (very) good
        subject = noun_phrase if d.coin(0.6) else [([d.pick(("it", "this"))], 0)]
        copula = d.pick(("was", "is")) if negated else d.pick(COPULAS)
        intensify = [d.pick(INTENSIFIERS)] if d.coin(0.4) else []
        parts = [*subject, ([copula], 0), ([negator] if negated else [], 0),
                 (intensify, 1), ([adj], 0)]
    elif u < 0.7:  # it was (not) a (very) good film
        intensify = [d.pick(ATTRIBUTIVE)] if d.coin(0.4) else []
        parts = [(["it", "was"], 0), ([negator] if negated else [], 0), (["a"], 0),
                 (intensify, 1), ([adj], 0), ([d.pick(nouns)], 0)]
    else:  # i (did not) (really) like(d) the film
        past, base = d.pick(LIKE if polar else DISLIKE)
        intensify = [d.pick(VERB_INTENSIFIERS)] if d.coin(0.3) else []
        if negator == "not":
            verb = [(["did", "not"], 0), (intensify, 1), ([base], 0)]
        else:
            verb = [([negator] if negated else [], 0), (intensify, 1), ([past], 0)]
        parts = [(["i"], 0), *verb, *noun_phrase]
    if d.coin(0.4):
        parts.insert(0, (list(d.pick(PREFIXES)), 3))
    if d.coin(0.5):
        place = ["at", "the", d.pick(TOPICS[d.pick(tuple(TOPICS))][2])]
        parts.append((place if d.coin(0.3) else list(d.pick(SUFFIXES)), 4))
    return parts


def _fit(parts: list[tuple[list[str], int]], max_len: int) -> list[str]:
    parts = [p for p in parts if p[0]]
    while sum(len(w) for w, _ in parts) > max_len:
        worst = max(range(len(parts)), key=lambda i: parts[i][1])
        del parts[worst]
    return articles([w for words, _ in parts for w in words])


def sentiment_set(n: int, rng: np.random.Generator, max_len: int,
                  negation: float = NEGATION_RATE) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n`` labelled sentences, balanced (n // 2 negative, the rest positive, shuffled).

    Returns tokens int64 (n, max_len) right-padded with PAD, labels int64 (n,) with
    1 = positive, and the sentences as strings. A share ``negation`` of the
    sentences (independent of the label) carries a negation word that flips the
    polarity of the sentiment word after it. Noise parts (openers like "honestly",
    endings like "with my friends", neutral adjectives, intensifiers) are dropped
    when a sentence would not fit in ``max_len`` words.
    """
    if max_len < MIN_LEN:
        raise ValueError(f"max_len must be at least {MIN_LEN}, got {max_len}")
    n = int(n)
    labels = rng.permutation((np.arange(n, dtype=np.int64) >= n // 2).astype(np.int64))
    d = Draw(rng)
    sentences = []
    for label in labels:
        negated = d.coin(negation)
        words = _fit(_labelled_parts(d, bool(label) != negated, negated), max_len)
        sentences.append(" ".join(words))
    tokens = np.stack([encode(s, max_len) for s in sentences]) if n else np.zeros(
        (0, max_len), dtype=np.int64)
    return tokens, labels, sentences


def tokenize(text: str) -> list[str]:
    """Lower-case words of ``text``; punctuation other than apostrophes is a space."""
    cleaned = "".join(c if c.isalnum() or c == "'" else " " for c in text.lower())
    return cleaned.split()


def encode(text: str, max_len: int, index: dict[str, int] = INDEX) -> np.ndarray:
    """Token ids int64 (max_len,) of a sentence: unknown words -> UNK, cut after
    ``max_len`` words, right-padded with PAD."""
    ids = [index.get(w, UNK) for w in tokenize(text)][:max_len]
    out = np.full(max_len, PAD, dtype=np.int64)
    out[: len(ids)] = ids
    return out


def decode(ids: Sequence[int] | np.ndarray, vocab: Sequence[str] = VOCAB) -> str:
    """The words of a row of ids, padding left out."""
    return " ".join(vocab[int(i)] for i in ids if int(i) != PAD)
