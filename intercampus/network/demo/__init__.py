"""The demo consortium: CLUSTER with its members, associate partners, work groups and projects.

Deterministic seed data built from public facts (names, codes, cities, founding years) plus
generated people and statistics; :func:`intercampus.network.demo.loader.load_demo` loads it.
"""
