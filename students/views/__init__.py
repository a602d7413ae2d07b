"""The educator's pages. Thin: parse the request, call a selector (reads) or a service (writes), render.

Views never query student models themselves (tests/pages/test_views_use_selectors.py checks).
"""
