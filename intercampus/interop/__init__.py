"""Interoperability with Erasmus Without Paper (EWP): pure XML code, no Django.

``schemas`` validates documents offline against the official XSDs (vendored in
``ewp_schemas/``), ``iia_xml`` converts IIAs v7 get responses to and from plain dataclasses,
and ``iia_hash`` computes the IIAs v7 ``iia-hash``.
"""
