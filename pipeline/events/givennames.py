"""English given names and the short forms and spellings news uses for them: "Fred LaRue" is
"Frederick Cheney LaRue", "Katie Jenkin" is "Kathryn Jenkin" when one event names both.

A short form that stands for several names ("Pat": Patrick or Patricia; "Alex", "Sam",
"Jerry") is left out, so it only ever matches itself.
"""

from __future__ import annotations

_FORMS = {
    "andrew": ("andy", "drew"),
    "anthony": ("tony",),
    "benjamin": ("ben",),
    "charles": ("charlie", "chuck"),
    "christopher": ("chris",),
    "daniel": ("dan", "danny"),
    "david": ("dave",),
    "deborah": ("debbie", "debra"),
    "edward": ("ed", "eddie", "ted"),
    "elizabeth": ("liz", "lizzie", "beth", "betty"),
    "frederick": ("fred", "freddie", "freddy", "frederic"),
    "james": ("jim", "jimmy", "jamie"),
    "jennifer": ("jen", "jenny"),
    "jonathan": ("jon",),
    "joseph": ("joe", "joey"),
    "katherine": ("catherine", "kathryn", "katharine", "kathy", "kate", "katie", "cathy"),
    "lawrence": ("larry", "laurence"),
    "margaret": ("maggie", "peggy"),
    "matthew": ("matt",),
    "michael": ("mike", "mick", "mickey"),
    "nicholas": ("nick",),
    "peter": ("pete",),
    "rebecca": ("becky",),
    "richard": ("dick", "rick", "ricky", "rich"),
    "robert": ("bob", "bobby", "rob", "robbie"),
    "stephen": ("steve", "steven"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim",),
    "william": ("bill", "billy", "will", "willie"),
}
_CANONICAL = {form: name for name, forms in _FORMS.items() for form in forms}


def given_name(word: str) -> str:
    """The full given name a lower-case first name stands for; the word itself otherwise.

    Args:
        word: a lower-case given name ("fred").
    """
    return _CANONICAL.get(word, word)
