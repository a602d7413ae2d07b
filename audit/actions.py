"""Actions in plain words ("viewed the profile") for the reports a family or a privacy officer reads.

An access event stores its action as the URL route name or the command name, which is exact but
means nothing to a parent. The words come from the apps that own the routes and commands (each
dict named in ``settings.AUDIT_ACTION_WORDS``); admin pages are described from the model they
show. An action nobody described is shown as it is stored, so nothing is hidden.
"""

import functools

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

ADMIN_PAGES = {
    "changelist": ("listed {plural} in the admin", "acted on {plural} in the admin"),
    "change": ("opened {a_name} in the admin", "changed {a_name} in the admin"),
    "add": ("opened the form to add {a_name} in the admin", "added {a_name} in the admin"),
    "delete": ("opened the deletion of {a_name} in the admin", "deleted {a_name} in the admin"),
    "history": ("read the history of {a_name} in the admin", "read the history of {a_name} in the admin"),
    "autocomplete": ("searched {plural} in the admin", "searched {plural} in the admin"),
}
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@functools.cache
def action_words() -> dict[str, str]:
    """Every described action: the apps' words, then each admin page of each model."""
    words: dict[str, str] = {}
    for dotted in settings.AUDIT_ACTION_WORDS:
        words.update(import_string(dotted))
    return words


@functools.cache
def _admin_models() -> dict[str, tuple[str, str]]:
    return {
        f"{model._meta.app_label}_{model._meta.model_name}": (
            str(model._meta.verbose_name),
            str(model._meta.verbose_name_plural),
        )
        for model in apps.get_models()
    }


def describe_action(action: str, *, method: str = "") -> str:
    """The action in words for a reader outside IT; a POST to an admin page says what it changed."""
    if action in action_words():
        return action_words()[action]
    if action.startswith("admin:"):
        prefix, _, page = action.removeprefix("admin:").rpartition("_")
        if page in ADMIN_PAGES and prefix in _admin_models():
            name, plural = _admin_models()[prefix]
            reading, writing = ADMIN_PAGES[page]
            a_name = f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"
            return (writing if method in WRITING_METHODS else reading).format(a_name=a_name, plural=plural)
    return action
