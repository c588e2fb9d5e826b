"""A pybtex style whose labels are the BibTeX keys ([Ba22], [Cui24], ...), as written in the docstrings."""
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


class KeyLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield entry.key


class KeyStyle(UnsrtStyle):
    default_label_style = "keylabels"


register_plugin("pybtex.style.labels", "keylabels", KeyLabelStyle)
register_plugin("pybtex.style.formatting", "keylabels", KeyStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
