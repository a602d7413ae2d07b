"""What the page browser tests check on every page: Content Security Policy violations and axe-core results.

Both are installed as init scripts (Playwright adds them through the DevTools protocol, so they run
even though the pages' CSP forbids inline script, and they do not relax that policy for the page).
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline code"));
});
"""


def watch(page) -> None:
    """Collect CSP violations and load axe-core in every document this tab opens from now on."""
    page.add_init_script(_CSP_LISTENER)
    page.add_init_script(path=str(AXE))


def csp_violations(page) -> list[str]:
    """Violations reported by the current document, plus any the console mentioned (earlier documents too)."""
    reported = page.evaluate("window.__cspViolations || []")
    console = [text for text in page.console_messages if "Content Security Policy" in text]
    return reported + console


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the current page, as readable lines."""
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in violation["nodes"][:5]
        )
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]
