"""Extraction stages and their resources: statements, events, modality, the PLOVER ontology
(`flashpoint.extract.ontology`) and the learned event typer (`flashpoint.extract.typer`)."""
