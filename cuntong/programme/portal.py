"""A programme's public portal (``/public/<code>/`` and ``/api/v1/public/portal/<code>/``): the programme as its plan
names it and the sections apps register in their own ``portal.py`` (``core.public.register_portal_section``)."""

from cuntong.core.public import portal_sections, public_record


def portal_content(programme) -> dict:
    """Plain public values only: the page's template and the API's JSON show the same."""
    return {
        "programme": public_record(programme),
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "template": section.template,
                "values": section.values(programme),
            }
            for section in portal_sections()
        ],
    }
