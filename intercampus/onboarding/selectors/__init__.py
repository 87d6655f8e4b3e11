"""Reads of the onboarding app, one module per topic (``journeys``). Visibility rules live
here and are reused by the pages, the API and the exports."""
