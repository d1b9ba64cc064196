"""The demo: Copydesk's demo data (seed.py) and the seed_demo command that loads it.

It is an app of its own at the top of the pipeline, beside the URLs: the seed uses every app's actions, and no
app uses it.
"""
