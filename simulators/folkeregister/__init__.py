"""A Folkeregister simulator: Skatteetaten's «hendelsesliste» and person lookup over a seeded synthetic population.

Run it with `python -m simulators.folkeregister` (port 8090). See ../README.md.
"""
