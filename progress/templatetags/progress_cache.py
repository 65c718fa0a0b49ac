"""`{% cached_fragment key "part" %}…{% endcached_fragment %}`: a part of a page rendered
once per key and part in the shared cache. The key is progress.cache.fragment_key(): the
data version, the query, the reader's visibility, and what else the part depends on.
Without a key, or without the cache, the part is rendered each time."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.translation import get_language

from progress.cache import fragment

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist: NodeList, key: FilterExpression, part: FilterExpression) -> None:
        self.nodelist = nodelist
        self.key = key
        self.part = part

    def render(self, context: template.Context) -> str:
        key = self.key.resolve(context)
        # Per language too: the part holds translated words and bilingual records' texts.
        key = f"{key}:{self.part.resolve(context)}:{get_language()}" if key else None
        return fragment(key, lambda: self.nodelist.render(context))


@register.tag
def cached_fragment(parser: Parser, token: Token) -> CachedFragmentNode:
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("cached_fragment takes a key and a part's name.")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    key, part = (parser.compile_filter(bit) for bit in bits[1:])
    return CachedFragmentNode(nodelist, key, part)
