"""Published Spanish (US) versions of the PHQ-9 and GAD-7, for participants who answer in Spanish.

The item texts, the stem and the answer labels are those of the PHQ Screeners "Spanish for the USA"
forms (Pfizer; free to reproduce, translate, display and distribute). They were taken from public
repositories that reproduce those forms word for word and agree with one another; check them
against the forms at phqscreeners.com when they are revised. PHQ-2 and GAD-2 are the first two
items of each. Scoring is unchanged: the same values, the same points, the same bands.

Pure Python (no Django), like the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpanishVersion:
    stem: str
    items: dict[str, str]  # item key -> the published Spanish item
    options: dict[int, str]  # value -> the published Spanish answer label
    source: str


STEM = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes problemas?"
)
OPTIONS = {0: "Ningún día", 1: "Varios días", 2: "Más de la mitad de los días", 3: "Casi todos los días"}
SOURCE = "PHQ Screeners, Spanish for the USA (Pfizer)"

# The published text has en dashes (\u2013), kept as published.
_PHQ9 = [
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) \u2013 o que es un fracaso o que ha quedado mal con usted mismo(a) "
    "o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico o ver "
    "la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo contrario \u2013 muy "
    "inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
]
_GAD7 = [
    "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
    "No ha sido capaz de parar o controlar su preocupación",
    "Se ha preocupado demasiado por motivos diferentes",
    "Ha tenido dificultad para relajarse",
    "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
    "Se ha molestado o irritado fácilmente",
    "Ha tenido miedo de que algo terrible fuera a pasar",
]


def _version(prefix: str, texts: list[str]) -> SpanishVersion:
    return SpanishVersion(
        stem=STEM,
        items={f"{prefix}_{n}": text for n, text in enumerate(texts, start=1)},
        options=OPTIONS,
        source=SOURCE,
    )


VERSIONS: dict[str, SpanishVersion] = {
    "PHQ-9": _version("phq9", _PHQ9),
    "PHQ-2": _version("phq2", _PHQ9[:2]),
    "GAD-7": _version("gad7", _GAD7),
    "GAD-2": _version("gad2", _GAD7[:2]),
}


def spanish_version(code: str) -> SpanishVersion | None:
    """The published Spanish version of an instrument, or None (it is then given in English)."""
    return VERSIONS.get(code)
